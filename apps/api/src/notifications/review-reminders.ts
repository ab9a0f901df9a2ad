import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { TasksRepository } from '../tasks/tasks.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import { MailQueue } from './mail.queue.js';

/**
 * A day (REVIEW_REMINDER_LEAD) before a returned task is accepted on its own, its
 * organization's clients with a verified address are told when. The task is marked in
 * the transaction that queues the mails, so a timer that fires twice mails once, and a
 * Redis refusal leaves it unmarked for the job's retry.
 */
@Injectable()
export class ReviewReminders {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly tasks: TasksRepository,
    private readonly users: UsersRepository,
    private readonly mail: MailQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async remind(taskId: string, version: number): Promise<{ applied: boolean; recipients: number }> {
    return this.ds.transaction(async (m) => {
      const task = await this.tasks.markReviewReminded(taskId, version, m);
      if (!task) return { applied: false, recipients: 0 };
      const reviewers = (await this.users.inOrganization(task.organizationId)).filter((u) => u.role === 'client' && !u.suspended && u.emailVerifiedAt);
      const autoAcceptAt = new Date(task.returnedAt.getTime() + this.config.reviewWindowMs).toISOString();
      const taskUrl = `${this.config.publicUrl}/client/tasks/${taskId}`;
      await Promise.all(
        reviewers.map((u) =>
          this.mail.send('review-reminder', u.email, { recipientName: u.name, taskTitle: task.title, taskUrl, autoAcceptAt }, `${taskId}/${version}/${u.id}`),
        ),
      );
      return { applied: true, recipients: reviewers.length };
    });
  }
}
