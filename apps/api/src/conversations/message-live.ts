import { rooms } from '@handoff/contracts';
import type { Queryable } from '../database/sql.js';
import { onceEvent, type OnceEvent } from '../realtime/live-events.js';
import type { UsersRepository } from '../users/users.repository.js';
import { toMessageView } from './message.view.js';
import type { TaskMessageReadsRepository } from './task-message-reads.repository.js';
import type { TaskMessageWithAuthor } from './task-message.entity.js';

/** Who reads a task's conversation now, with each reader's unread count. */
export interface Audience {
  readers: string[];
  unread: Map<string, number>;
}

/** The task's readers now (its organization's clients, its assignee, the admins) and their unread counts. */
export async function messageAudience(
  users: UsersRepository,
  reads: TaskMessageReadsRepository,
  task: { id: string; organizationId: string; assigneeId: string | null },
  m: Queryable,
): Promise<Audience> {
  const readers = (await users.taskReaders(task.organizationId, task.assigneeId, m)).map((u) => u.id);
  return { readers, unread: await reads.forUsers(task.id, readers, m) };
}

/**
 * A message's live events, one per reader in their own room. A new message's
 * are sent by the request that posted it and again by the relay, so their
 * markers last (whichever comes second sends nothing); an edit's go only
 * through the relay.
 */
export function messageLiveEvents(kind: 'posted' | 'changed', version: number, taskId: string, row: TaskMessageWithAuthor, who: Audience): OnceEvent[] {
  const message = toMessageView(row);
  const posted = kind === 'posted';
  const key = posted ? `message.created/${row.id}` : `message.updated/${row.id}/${version}`;
  return who.readers.map((reader) =>
    onceEvent(`${key}/${reader}`, [rooms.user(reader)], posted ? 'message.created' : 'message.updated', { taskId, message, unread: who.unread.get(reader) ?? 0 }, { lasting: posted }),
  );
}
