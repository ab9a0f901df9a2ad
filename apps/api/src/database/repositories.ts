import { AuditRepository } from '../audit/audit.repository.js';
import { BudgetsRepository } from '../budgets/budgets.repository.js';
import { RefreshTokensRepository } from '../auth/refresh-tokens.repository.js';
import { LedgerRepository } from '../billing/ledger.repository.js';
import { TaskMessageReadsRepository } from '../conversations/task-message-reads.repository.js';
import { TaskMessagesRepository } from '../conversations/task-messages.repository.js';
import { IdempotencyRepository } from '../common/http/idempotency.repository.js';
import { OutboxRepository } from '../events/outbox.repository.js';
import { RateCardRepository } from '../rate-card/rate-card.repository.js';
import { TaskChecklistStepsRepository } from '../tasks/task-checklist-steps.repository.js';
import { TaskEventsRepository } from '../tasks/task-events.repository.js';
import { TasksRepository } from '../tasks/tasks.repository.js';
import { OrganizationsRepository } from '../users/organizations.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import { WebhookAttemptsRepository } from '../webhooks/webhook-attempts.repository.js';
import { WebhookDeliveriesRepository } from '../webhooks/webhook-deliveries.repository.js';
import { WebhookEndpointsRepository } from '../webhooks/webhook-endpoints.repository.js';
import { PreferredAssistantsRepository } from '../quality/preferred-assistants.repository.js';
import { RatingsRepository } from '../quality/ratings.repository.js';
import { NotificationSettingsRepository } from '../inbox/notification-settings.repository.js';
import { NotificationsRepository } from '../inbox/notifications.repository.js';
import { ImportRowsRepository } from '../imports/import-rows.repository.js';
import { ImportsRepository } from '../imports/imports.repository.js';
import { ScheduleRunsRepository } from '../schedules/schedule-runs.repository.js';
import { SchedulesRepository } from '../schedules/schedules.repository.js';
import { AssistantQualificationsRepository } from '../qualifications/assistant-qualifications.repository.js';
import { QualificationAttemptsRepository } from '../qualifications/qualification-attempts.repository.js';
import { QualificationRequirementsRepository } from '../qualifications/qualification-requirements.repository.js';
import { QualificationTasksRepository } from '../qualifications/qualification-tasks.repository.js';
import { DisputesRepository } from '../disputes/disputes.repository.js';
import { TaskFilesRepository } from '../files/task-files.repository.js';

/** One repository per table, the only place its SQL lives (seed, demo and migrations aside). */
export const REPOSITORIES = [
  UsersRepository,
  OrganizationsRepository,
  RateCardRepository,
  TasksRepository,
  TaskEventsRepository,
  TaskChecklistStepsRepository,
  LedgerRepository,
  OutboxRepository,
  RefreshTokensRepository,
  AuditRepository,
  IdempotencyRepository,
  TaskMessagesRepository,
  TaskMessageReadsRepository,
  WebhookEndpointsRepository,
  WebhookDeliveriesRepository,
  WebhookAttemptsRepository,
  RatingsRepository,
  PreferredAssistantsRepository,
  BudgetsRepository,
  NotificationsRepository,
  NotificationSettingsRepository,
  ImportsRepository,
  ImportRowsRepository,
  SchedulesRepository,
  ScheduleRunsRepository,
  QualificationRequirementsRepository,
  QualificationTasksRepository,
  QualificationAttemptsRepository,
  AssistantQualificationsRepository,
  DisputesRepository,
  TaskFilesRepository,
];
