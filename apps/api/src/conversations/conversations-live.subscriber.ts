import { Injectable, type OnModuleInit } from '@nestjs/common';
import { eventsNamed } from '../events/domain-events.js';
import { EventBus, type EventBatch, type EventSubscriber } from '../events/event-bus.js';
import { LiveEvents, type OnceEvent } from '../realtime/live-events.js';
import { TasksRepository } from '../tasks/tasks.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import { messageAudience, messageLiveEvents, type Audience } from './message-live.js';
import { TaskMessageReadsRepository } from './task-message-reads.repository.js';
import { TaskMessagesRepository } from './task-messages.repository.js';


/**
 * A message posted, edited or deleted goes live to each person who may read
 * the task when the relay reads it (its organization's clients, its assignee
 * then, the admins), each in their own room with their own unread count. So
 * an assistant who released the task or was replaced hears nothing further.
 * Keys name the message, its version and the reader: a batch handed over
 * again sends nothing twice, nor does a new message the request that posted
 * it already sent (`ConversationsService.post`).
 */
@Injectable()
export class ConversationsLiveSubscriber implements EventSubscriber, OnModuleInit {
  readonly name = 'conversations.live';
  readonly events = ['message.posted', 'message.changed'] as const;

  constructor(
    private readonly bus: EventBus,
    private readonly live: LiveEvents,
    private readonly messages: TaskMessagesRepository,
    private readonly reads: TaskMessageReadsRepository,
    private readonly tasks: TasksRepository,
    private readonly users: UsersRepository,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe(this);
  }

  async handle(batch: EventBatch): Promise<() => void> {
    const events = await this.liveEvents(batch);
    return this.live.handOn(events);
  }

  idle(): Promise<void> {
    return this.live.delivered();
  }

  private async liveEvents(batch: EventBatch): Promise<OnceEvent[]> {
    const changes = eventsNamed(batch.events, 'message.posted', 'message.changed');
    if (!changes.length) return [];
    const m = batch.manager;
    const byId = new Map((await this.messages.byIds([...new Set(changes.map((c) => c.payload.messageId))], m)).map((r) => [r.id, r]));
    const tasks = new Map((await this.tasks.byIds([...new Set(changes.map((c) => c.payload.taskId))], m)).map((t) => [t.id, t]));
    const audience = new Map<string, Audience>();
    const out: OnceEvent[] = [];
    for (const change of changes) {
      const row = byId.get(change.payload.messageId);
      const task = tasks.get(change.payload.taskId);
      if (!row || !task) continue;
      // A change superseded by a newer one leaves the sending to the newer one's event.
      if (change.name === 'message.changed' && row.version !== change.payload.version) continue;
      let who = audience.get(task.id);
      if (!who) {
        who = await messageAudience(this.users, this.reads, task, m);
        audience.set(task.id, who);
      }
      out.push(...messageLiveEvents(change.name === 'message.posted' ? 'posted' : 'changed', change.payload.version, task.id, row, who));
    }
    return out;
  }
}
