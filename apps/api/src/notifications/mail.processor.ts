import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { runJob, type Handlers } from '../dispatch/job-handlers.js';
import { LoggedWorker } from '../dispatch/logged-worker.js';
import { MAIL_CATALOG } from './mail/catalog.js';
import { MailDeliveryError, Mailer } from './mail/mailer.js';

/** Sends queued mail over SMTP; a refusal that retrying cannot change (5xx) fails the job at once. */
@Injectable()
export class MailProcessor extends LoggedWorker implements OnModuleDestroy {
  static readonly queue = 'mail';
  static readonly concurrency = 4;
  private readonly mailer: Mailer;
  readonly handlers: Handlers<'mail'> = {
    'mail.send': (p, job) => this.deliver(p.template, p.to, p.values, job),
  };

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super();
    this.mailer = new Mailer({ smtpUrl: config.mail.smtpUrl, from: config.mail.from });
  }

  process(job: Job): Promise<unknown> {
    return runJob('mail', this.handlers, job);
  }

  private async deliver(name: keyof typeof MAIL_CATALOG, to: string, raw: Record<string, unknown>, job: Job): Promise<{ messageId: string }> {
    const entry = MAIL_CATALOG[name];
    const values = entry.values.safeParse(raw);
    if (!values.success) throw new UnrecoverableError(`${name}: values do not fit the template: ${values.error.issues.map((i) => i.path.join('.')).join(', ')}`);
    try {
      // The job id is the cause, so every retry of one mail carries one Message-ID.
      const sent = await this.mailer.send(entry.template, to, values.data as never, { messageId: `<${encodeURIComponent(job.id!)}@handoff>` });
      return { messageId: sent.messageId };
    } catch (e) {
      if (e instanceof MailDeliveryError && e.permanent) throw new UnrecoverableError(e.message);
      throw e;
    }
  }

  onModuleDestroy(): void {
    this.mailer.close();
  }
}
