import { Accounts1764000000000 } from './1764000000000-accounts.js';
import { Tasks1764000100000 } from './1764000100000-tasks.js';
import { Billing1764000500000 } from './1764000500000-billing.js';
import { Security1764000900000 } from './1764000900000-security.js';
import { QueueOrder1764001000000 } from './1764001000000-queue-order.js';
import { SessionNotify1764001100000 } from './1764001100000-session-notify.js';
import { ActiveTasks1764001200000 } from './1764001200000-active-tasks.js';
import { TimerSweep1764001300000 } from './1764001300000-timer-sweep.js';
import { ActiveCountTriggers1764001400000 } from './1764001400000-active-count-triggers.js';
import { ClaimNextBatch1764001500000 } from './1764001500000-claim-next-batch.js';
import { SessionEnded1764001600000 } from './1764001600000-session-ended.js';
import { LedgerCorrectionBounds1764001700000 } from './1764001700000-ledger-correction-bounds.js';
import { MoneyRounding1764002200000 } from './1764002200000-money-rounding.js';
import { ClaimNextEvents1764002300000 } from './1764002300000-claim-next-events.js';
import { TemplatesBusinessHours1764002600000 } from './1764002600000-templates-business-hours.js';
import { TwoFactor1764002700000 } from './1764002700000-two-factor.js';
import { LedgerRollups1764002800000 } from './1764002800000-ledger-rollups.js';
import { TaskStatusCounts1764002810000 } from './1764002810000-task-status-counts.js';
import { ListIndexes1764002820000 } from './1764002820000-list-indexes.js';
import { TaskChecklists1764003000000 } from './1764003000000-task-checklists.js';
import { Conversations1764003200000 } from './1764003200000-conversations.js';
import { Webhooks1764003300000 } from './1764003300000-webhooks.js';
import { Quality1764003400000 } from './1764003400000-quality.js';
import { AccountEmail1764003500000 } from './1764003500000-account-email.js';
import { Budgets1764003800000 } from './1764003800000-budgets.js';
import { Inbox1764004000000 } from './1764004000000-inbox.js';
import { TaskFiles1764004100000 } from './1764004100000-task-files.js';
import { Qualifications1764004200000 } from './1764004200000-qualifications.js';
import { Disputes1764004300000 } from './1764004300000-disputes.js';
import { TemplateProcess1764003900000 } from './1764003900000-template-process.js';
import { Imports1764003700000 } from './1764003700000-imports.js';
import { Schedules1764003600000 } from './1764003600000-schedules.js';

/** The one migration history, oldest first. Add new migrations at the end, one per line. */
export const MIGRATIONS = [
  Accounts1764000000000,
  Tasks1764000100000,
  Billing1764000500000,
  Security1764000900000,
  QueueOrder1764001000000,
  SessionNotify1764001100000,
  ActiveTasks1764001200000,
  TimerSweep1764001300000,
  ActiveCountTriggers1764001400000,
  ClaimNextBatch1764001500000,
  SessionEnded1764001600000,
  LedgerCorrectionBounds1764001700000,
  MoneyRounding1764002200000,
  ClaimNextEvents1764002300000,
  TemplatesBusinessHours1764002600000,
  TwoFactor1764002700000,
  LedgerRollups1764002800000,
  TaskStatusCounts1764002810000,
  ListIndexes1764002820000,
  TaskChecklists1764003000000,
  Conversations1764003200000,
  Webhooks1764003300000,
  Quality1764003400000,
  AccountEmail1764003500000,
  Schedules1764003600000,
  Imports1764003700000,
  Budgets1764003800000,
  TemplateProcess1764003900000,
  Inbox1764004000000,
  TaskFiles1764004100000,
  Qualifications1764004200000,
  Disputes1764004300000,
];
