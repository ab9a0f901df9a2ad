import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CATEGORY_LABELS, DEFAULT_NOTIFICATION_CHANNELS, formatMoney, jobId, rooms, type NotificationChannel, type NotificationKind } from '@handoff/contracts';
import { LedgerRepository } from '../billing/ledger.repository.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { TaskMessagesRepository } from '../conversations/task-messages.repository.js';
import { jobRequest, JobsService, type JobRequest } from '../dispatch/jobs.service.js';
import { eventsNamed } from '../events/domain-events.js';
import { EventBus, type EventBatch, type EventSubscriber } from '../events/event-bus.js';
import { formatUtc } from '../notifications/mail/templates.js';
import { LiveEvents } from '../realtime/live-events.js';
import type { TaskWithNames } from '../tasks/task.entity.js';
import { batchTasks, TASK_EVENTS, taskChanges, type TaskChange } from '../tasks/task-changes.js';
import { TasksRepository } from '../tasks/tasks.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import { WebhookEndpointsRepository } from '../webhooks/webhook-endpoints.repository.js';
import { NotificationSettingsRepository } from './notification-settings.repository.js';
import { NotificationsRepository, type NewNotification } from './notifications.repository.js';
import { taskLink, toNotificationView } from './notification.view.js';

/** A notice before channels are applied: for whom, about what, and why (the event and recipient). */
type Notice = NewNotification & { kind: NotificationKind };

const excerpt = (text: string | null, max = 200) => {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/**
 * Files each user's notices in their inbox, in the relay's transaction, and
 * mails those who chose e-mail for the kind. Who hears what:
 * - claimed, returned (with the auto-accept time), overdue, refund: the client who submitted the task;
 * - revision asked, accepted, overdue: the assignee;
 * - a message: the submitter and the assignee but its author; someone it mentions gets a mention instead;
 * - new work in one's skills: only assistants who opted in (the live board tells those online);
 * - a webhook endpoint turned off after failing: its organization's owners (the platform's: the admins).
 * An entry's cause (event id and recipient) is unique, so a batch handed over again files nothing twice.
 */
@Injectable()
export class InboxSubscriber implements EventSubscriber, OnModuleInit {
  readonly name = 'inbox';
  readonly events = [...TASK_EVENTS, 'message.posted', 'ledger.recorded', 'webhook.disabled'] as const;
  readonly inTransaction = true;

  constructor(
    private readonly bus: EventBus,
    private readonly tasks: TasksRepository,
    private readonly messages: TaskMessagesRepository,
    private readonly ledger: LedgerRepository,
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly users: UsersRepository,
    private readonly settings: NotificationSettingsRepository,
    private readonly inbox: NotificationsRepository,
    private readonly jobs: JobsService,
    private readonly live: LiveEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe(this);
  }

  async handle(batch: EventBatch): Promise<(() => void) | void> {
    const notices = [...(await this.taskNotices(batch)), ...(await this.messageNotices(batch)), ...(await this.refundNotices(batch)), ...(await this.webhookNotices(batch))];
    if (!notices.length) return;
    const m = batch.manager;
    const recipients = [...new Set(notices.map((n) => n.userId))];
    const [choices, contacts] = await Promise.all([this.settings.forUsers(recipients, m), this.users.contacts(recipients, m)]);
    const chosen = new Map(choices.map((c) => [`${c.userId}/${c.kind}`, c.channel]));
    const contactOf = new Map(contacts.map((c) => [c.id, c]));
    const channelOf = (n: Notice): NotificationChannel => chosen.get(`${n.userId}/${n.kind}`) ?? DEFAULT_NOTIFICATION_CHANNELS[n.kind];
    // Suspended users (no contact row) hear nothing.
    const wanted = notices.filter((n) => contactOf.has(n.userId) && channelOf(n) !== 'off');
    const filed = await this.inbox.file(wanted, m);
    if (!filed.length) return;
    const mails: JobRequest[] = [];
    for (const n of filed) {
      const who = contactOf.get(n.userId)!;
      if (channelOf(n as Notice) !== 'email' || !who.emailVerifiedAt) continue;
      const url = `${this.config.publicUrl}${taskLink(who.role, n.taskId) ?? '/'}`;
      mails.push(jobRequest('mail.send', { template: 'notification', to: who.email, values: { recipientName: who.name, title: n.title, body: n.body, url } }, { jobId: jobId.mail(`notification/${n.cause}`) }));
    }
    // Queued before the batch commits, under ids from the cause: a batch handed over again queues none twice.
    if (mails.length) await this.jobs.addAll(mails);
    const unread = await this.inbox.unread([...new Set(filed.map((n) => n.userId))], m);
    // After the commit: an entry announced is an entry the inbox will show.
    return () => {
      for (const n of filed) {
        const who = contactOf.get(n.userId)!;
        this.live.emit([rooms.user(n.userId)], 'notification.created', { notification: toNotificationView(n, who.role), unread: unread.get(n.userId) ?? 0 });
      }
    };
  }

  private async taskNotices(batch: EventBatch): Promise<Notice[]> {
    const changes = taskChanges(batch.events);
    if (!changes.length) return [];
    const byId = await batchTasks(batch, this.tasks);
    const ids = batch.events.filter((e) => e.name === 'task.submitted' || e.name === 'task.transitioned').map((e) => e.id);
    // Who opted in to hear of new work, read once for the batch's submitted categories.
    const submitted = [...new Set(changes.filter((c) => c.action === 'submit').flatMap((c) => byId.get(c.taskId)?.category ?? []))];
    const keen = submitted.length ? await this.settings.optedInFor(submitted, batch.manager) : [];
    const notices: Notice[] = [];
    for (const [i, c] of changes.entries()) {
      const task = byId.get(c.taskId);
      if (!task) continue;
      const eventId = ids[i]!;
      const notice = (userId: string | null, kind: NotificationKind, title: string, body: string) => {
        if (userId) notices.push({ userId, kind, taskId: task.id, title, body, cause: `${eventId}/${userId}` });
      };
      const assignee = c.prevAssigneeId ?? task.assigneeId;
      switch (c.action) {
        case 'submit':
          for (const a of keen.filter((k) => k.category === task.category)) {
            notice(a.userId, 'task_available', `New ${CATEGORY_LABELS[task.category].toLowerCase()} task: “${task.title}”`, `${formatMoney(task.priceCents, task.currency)}, due ${formatUtc(task.deadline)}.`);
          }
          break;
        case 'claim':
          notice(task.createdBy, 'task_claimed', `“${task.title}” was claimed`, `${task.assigneeName ?? 'An assistant'} has taken it on.`);
          break;
        case 'return':
          notice(task.createdBy, 'task_returned', `“${task.title}” is back for your review`, this.returnedBody(task, c));
          break;
        case 'revise':
          notice(assignee, 'revision_requested', `Revision asked on “${task.title}”`, excerpt(task.feedback) || 'The client asked for changes.');
          break;
        case 'accept':
        case 'auto_accept':
          notice(assignee, 'task_accepted', `“${task.title}” was accepted`, c.action === 'auto_accept' ? 'The review window passed, so it was accepted automatically.' : 'The client accepted your work.');
          break;
        case 'overdue':
          notice(task.createdBy, 'task_overdue', `“${task.title}” is overdue`, `It was due ${formatUtc(task.deadline)}.`);
          notice(task.assigneeId, 'task_overdue', `“${task.title}” is overdue`, `It was due ${formatUtc(task.deadline)}; return it as soon as you can.`);
          break;
      }
    }
    return notices;
  }

  private returnedBody(task: TaskWithNames, c: TaskChange): string {
    const autoAcceptAt = new Date((task.returnedAt?.getTime() ?? c.at) + this.config.reviewWindowMs);
    return `Accept it or ask for a revision before ${formatUtc(autoAcceptAt)}; after that it is accepted automatically.`;
  }

  private async messageNotices(batch: EventBatch): Promise<Notice[]> {
    const posted = eventsNamed(batch.events, 'message.posted');
    if (!posted.length) return [];
    const messages = new Map((await this.messages.byIds(posted.map((e) => e.payload.messageId), batch.manager)).map((r) => [r.id, r]));
    const tasks = new Map((await this.tasks.byIds([...new Set(posted.map((e) => e.payload.taskId))], batch.manager)).map((t) => [t.id, t]));
    const notices: Notice[] = [];
    for (const e of posted) {
      const msg = messages.get(e.payload.messageId);
      const task = tasks.get(e.payload.taskId);
      if (!msg || !task || msg.deletedAt) continue;
      const author = msg.authorName ?? 'Someone';
      const mentioned = new Set(msg.mentions);
      const told = new Set<string>([msg.authorId]);
      for (const userId of msg.mentions) {
        if (told.has(userId)) continue;
        told.add(userId);
        notices.push({ userId, kind: 'mention', taskId: task.id, title: `${author} mentioned you on “${task.title}”`, body: excerpt(msg.body), cause: `${e.id}/${userId}` });
      }
      for (const userId of [task.createdBy, task.assigneeId]) {
        if (!userId || told.has(userId) || mentioned.has(userId)) continue;
        told.add(userId);
        notices.push({ userId, kind: 'message', taskId: task.id, title: `New message from ${author} on “${task.title}”`, body: excerpt(msg.body), cause: `${e.id}/${userId}` });
      }
    }
    return notices;
  }

  private async refundNotices(batch: EventBatch): Promise<Notice[]> {
    const recorded = eventsNamed(batch.events, 'ledger.recorded');
    if (!recorded.length) return [];
    const entries = (await this.ledger.byIds(recorded.map((e) => e.payload.entryId), batch.manager)).filter((r) => r.kind === 'refund');
    if (!entries.length) return [];
    const tasks = new Map((await this.tasks.byIds([...new Set(entries.map((r) => r.taskId))], batch.manager)).map((t) => [t.id, t]));
    const eventOf = new Map(recorded.map((e) => [e.payload.entryId, e.id]));
    return entries.flatMap((r) => {
      const task = tasks.get(r.taskId);
      if (!task) return [];
      const body = `${formatMoney(Math.abs(r.amountCents), r.currency)} was credited to your organization${r.reason ? `: ${excerpt(r.reason)}` : '.'}`;
      return [{ userId: task.createdBy, kind: 'refund_posted' as const, taskId: task.id, title: `Refund on “${task.title}”`, body, cause: `${eventOf.get(r.id)}/${task.createdBy}` }];
    });
  }

  private async webhookNotices(batch: EventBatch): Promise<Notice[]> {
    const notices: Notice[] = [];
    for (const e of eventsNamed(batch.events, 'webhook.disabled')) {
      const endpoint = await this.endpoints.findById(e.payload.endpointId, batch.manager);
      if (!endpoint) continue;
      const body = `Deliveries to ${endpoint.url} stopped: ${e.payload.reason}. Turn it back on under Integrations once it answers again.`;
      for (const { id: userId } of await this.users.ownersOf(endpoint.organizationId, batch.manager)) {
        notices.push({ userId, kind: 'webhook_disabled', taskId: null, title: `Webhook endpoint turned off${endpoint.description ? `: ${excerpt(endpoint.description, 80)}` : ''}`, body, cause: `${e.id}/${userId}` });
      }
    }
    return notices;
  }
}
