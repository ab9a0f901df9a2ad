import { Module } from '@nestjs/common';
import { GuardsModule } from '../common/http/guards.module.js';
import { QueuesModule } from '../dispatch/queues.module.js';
import { AdminController } from './admin.controller.js';

/** Queue health for admins: counts, failed jobs and their retry. */
@Module({ imports: [GuardsModule, QueuesModule], controllers: [AdminController] })
export class AdminModule {}
