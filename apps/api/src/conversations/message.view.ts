import type { MessageView, TimelineEventView } from '@handoff/contracts';
import type { TaskEvent } from '../tasks/task-event.entity.js';
import type { TaskMessageWithAuthor } from './task-message.entity.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The only shape in which a message leaves the API: a deleted one without its body or mentions. */
export function toMessageView(m: TaskMessageWithAuthor): MessageView {
  const deleted = m.deletedAt !== null;
  return {
    id: m.id,
    taskId: m.taskId,
    seq: m.seq,
    authorId: m.authorId,
    authorName: m.authorName ?? null,
    authorRole: m.authorRole,
    body: deleted ? null : m.body,
    mentions: deleted ? [] : m.mentions,
    version: m.version,
    createdAt: m.createdAt.toISOString(),
    editedAt: iso(m.editedAt),
    deletedAt: iso(m.deletedAt),
  };
}

export function toTimelineEventView(e: TaskEvent, result: string | null): TimelineEventView {
  return {
    id: e.id,
    action: e.action,
    fromStatus: e.fromStatus,
    toStatus: e.toStatus,
    actorId: e.actorId,
    actorRole: e.actorRole,
    note: e.note,
    result,
    createdAt: e.createdAt.toISOString(),
  };
}
