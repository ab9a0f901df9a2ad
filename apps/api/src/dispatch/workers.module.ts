import { Module, type OnModuleInit } from '@nestjs/common';
import { TasksModule } from '../tasks/tasks.module.js';
import { DispatchProcessor } from './dispatch.processor.js';
import { assertEveryJobHandled } from './job-handlers.js';
import { TimersProcessor } from './timers.processor.js';

/** The BullMQ processors; loaded in the `worker` and `all` roles only. */
@Module({ imports: [TasksModule], providers: [DispatchProcessor, TimersProcessor] })
export class WorkersModule implements OnModuleInit {
  constructor(
    private readonly dispatch: DispatchProcessor,
    private readonly timers: TimersProcessor,
  ) {}

  onModuleInit(): void {
    assertEveryJobHandled({ dispatch: this.dispatch.handlers, timers: this.timers.handlers });
  }
}
