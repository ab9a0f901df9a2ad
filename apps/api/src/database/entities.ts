import { AuditLog } from '../audit/audit-log.entity.js';
import { EmailToken } from '../auth/email-token.entity.js';
import { RefreshToken } from '../auth/refresh-token.entity.js';
import { LedgerEntry } from '../billing/ledger-entry.entity.js';
import { TaskMessageRead } from '../conversations/task-message-read.entity.js';
import { TaskMessage } from '../conversations/task-message.entity.js';
import { IdempotencyKey } from '../common/http/idempotency-key.entity.js';
import { OutboxRow } from '../events/outbox.entity.js';
import { TwoFactorDevice, TwoFactorRecoveryCode, UserTwoFactor } from '../auth/two-factor/two-factor.entity.js';
import { RateCard } from '../rate-card/rate-card.entity.js';
import { TemplateVersion } from '../templates/template-version.entity.js';
import { Template } from '../templates/template.entity.js';
import { TaskChecklistStep } from '../tasks/task-checklist-step.entity.js';
import { TaskEvent } from '../tasks/task-event.entity.js';
import { Task } from '../tasks/task.entity.js';
import { Organization } from '../users/organization.entity.js';
import { User } from '../users/user.entity.js';
import { WebhookAttempt } from '../webhooks/webhook-attempt.entity.js';
import { WebhookDelivery } from '../webhooks/webhook-delivery.entity.js';
import { WebhookEndpoint } from '../webhooks/webhook-endpoint.entity.js';
import { PreferredAssistant } from '../quality/preferred-assistant.entity.js';
import { Rating } from '../quality/rating.entity.js';
import { ScheduleRun } from '../schedules/schedule-run.entity.js';
import { Schedule } from '../schedules/schedule.entity.js';

/** One entity per table; each table's SQL lives in its repository (`REPOSITORIES`). */
export const ENTITIES = [Organization, User, RateCard, Task, TaskEvent, LedgerEntry, OutboxRow, RefreshToken, AuditLog, IdempotencyKey, Template, TemplateVersion, UserTwoFactor, TwoFactorRecoveryCode, TwoFactorDevice, TaskChecklistStep, TaskMessage, TaskMessageRead, EmailToken, WebhookEndpoint, WebhookDelivery, WebhookAttempt, Rating, PreferredAssistant, Schedule, ScheduleRun];
