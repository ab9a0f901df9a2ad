import { Module } from '@nestjs/common';
import { QueuesModule } from '../dispatch/queues.module.js';
import { MailQueue } from './mail.queue.js';
import { ReviewReminders } from './review-reminders.js';

/** Mail: the queue every role can add to, and the review reminder the timers send. The worker is in WorkersModule. */
@Module({ imports: [QueuesModule], providers: [MailQueue, ReviewReminders], exports: [MailQueue, ReviewReminders] })
export class NotificationsModule {}
