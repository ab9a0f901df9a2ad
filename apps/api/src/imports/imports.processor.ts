import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { runJob, type Handlers } from '../dispatch/job-handlers.js';
import { LoggedWorker } from '../dispatch/logged-worker.js';
import { ImportRunner } from './import-runner.js';

/** Runs confirmed imports, in the workers rather than in the request that confirmed them. */
@Injectable()
export class ImportsProcessor extends LoggedWorker {
  static readonly queue = 'imports';
  static readonly concurrency = 2;

  readonly handlers: Handlers<'imports'> = {
    'imports.run': (p) => this.runner.run(p.importId),
  };

  constructor(private readonly runner: ImportRunner) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return runJob('imports', this.handlers, job);
  }
}
