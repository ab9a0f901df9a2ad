import { mentionTokens } from '@handoff/contracts';
import { resolveMentions } from './mentions.js';
import { mergeTimeline } from './conversations.service.js';
import type { TaskEvent } from '../tasks/task-event.entity.js';
import type { TaskMessageWithAuthor } from './task-message.entity.js';

const readers = [
  { id: 'u1', name: 'Casey Client', email: 'casey.c@example.com' },
  { id: 'u2', name: 'Xavier Doe', email: 'xd@example.com' },
  { id: 'u3', name: 'Ana', email: 'ana@example.com' },
];

describe('mentions', () => {
  it('reads @handles, not e-mail addresses, each once and in lower case', () => {
    expect(mentionTokens('Hi @Casey, @casey and @ana. Mail ana@example.com; @x_y-')).toEqual(['casey', 'ana', 'x_y']);
  });

  it('matches a reader by the name without spaces, its first word or the e-mail’s local part; never the author', () => {
    expect(resolveMentions('@CaseyClient @xd', readers, 'u3')).toEqual(['u1', 'u2']);
    expect(resolveMentions('@ana @casey.c', readers, 'u3')).toEqual(['u1']);
    expect(resolveMentions('@nobody', readers, 'u1')).toEqual([]);
  });
});

describe('mergeTimeline', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  const msg = (seq: number, s: number) => ({ id: `m${seq}`, taskId: 't', seq, authorId: 'u1', authorRole: 'client', authorName: 'C', body: 'b', mentions: [], version: 1, createdAt: at(s), editedAt: null, deletedAt: null }) as TaskMessageWithAuthor;
  const ev = (id: string, action: string, s: number) => ({ id, taskId: 't', action, fromStatus: null, toStatus: 'queued', actorId: null, actorRole: 'client', note: null, createdAt: at(s) }) as TaskEvent;

  it('puts state changes between messages in time order, a change first on a tie, the result on the latest return', () => {
    const items = mergeTimeline([msg(1, 2), msg(2, 5)], [ev('e1', 'submit', 1), ev('e2', 'return', 2), ev('e3', 'return', 9)], { lastReturnId: 'e3', result: 'R' });
    expect(items.map((i) => (i.kind === 'message' ? i.message.id : i.event.id))).toEqual(['e1', 'e2', 'm1', 'm2', 'e3']);
    expect(items.flatMap((i) => (i.kind === 'event' ? [i.event.result] : []))).toEqual([null, null, 'R']);
  });
});
