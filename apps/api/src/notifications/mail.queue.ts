import { Injectable } from '@nestjs/common';
import { jobId, type MailTemplateName } from '@handoff/contracts';
import { JobsService } from '../dispatch/jobs.service.js';

/** JSON as a job carries it: times as ISO strings. */
type JobValues = Record<string, string | number | boolean | null>;

/** The producer side: one job per mail, its id from the cause, so the same cause sends one mail. */
@Injectable()
export class MailQueue {
  constructor(private readonly jobs: JobsService) {}

  send(template: MailTemplateName, to: string, values: JobValues, key: string): Promise<void> {
    return this.jobs.add('mail.send', { template, to, values }, { jobId: jobId.mail(`${template}/${key}`) });
  }
}
