import { z } from 'zod';
import { listQuery, plainString, uuid } from './common.js';
import { fileRef } from './files.js';

/** How long after posting its author may still edit a message. */
export const MESSAGE_EDIT_WINDOW_MS = 10 * 60_000;
export const MESSAGE_BODY_MAX = 10_000;

/** Markdown, stored exactly as sent (no trimming); the dashboard renders it safely. */
export const messageBodyText = plainString()
  .min(1, { message: 'must not be empty' })
  .max(MESSAGE_BODY_MAX, { message: `must be at most ${MESSAGE_BODY_MAX} characters` })
  .refine((v) => v.trim().length > 0, { message: 'must not be only whitespace' });

export const postMessageBody = z.strictObject({ body: messageBodyText });
export type PostMessageBody = z.infer<typeof postMessageBody>;

export const editMessageBody = postMessageBody;
export type EditMessageBody = PostMessageBody;

export const markSeenBody = z.strictObject({ upTo: uuid });
export type MarkSeenBody = z.infer<typeof markSeenBody>;

export const messageParams = z.strictObject({ id: uuid, messageId: uuid });

export const listMessagesQuery = listQuery.strict();
export type ListMessagesQuery = z.infer<typeof listMessagesQuery>;

export const messageView = z.object({
  id: z.string(),
  taskId: z.string(),
  /** Position in the task's conversation: 1, 2, 3… in the order the messages committed. */
  seq: z.number().int(),
  authorId: z.string(),
  authorName: z.string().nullable(),
  authorRole: z.string(),
  /** Markdown as sent; null once deleted. */
  body: z.string().nullable(),
  /** The users the body mentions (`@name`) who may read the task. */
  mentions: z.array(z.string()),
  /** Bumped by each edit and by the delete. */
  version: z.number().int(),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
  deletedAt: z.string().nullable(),
  /** The files attached to the message (its author's uploads with purpose `message`); in the conversation's list only. */
  files: z.array(fileRef).optional(),
});
export type MessageView = z.infer<typeof messageView>;

/** A state change of the task in the conversation: the move, its note (the revision's feedback) and, on the latest return, the result. */
export const timelineEventView = z.object({
  id: z.string(),
  action: z.string(),
  fromStatus: z.string().nullable(),
  toStatus: z.string(),
  actorId: z.string().nullable(),
  actorRole: z.string(),
  note: z.string().nullable(),
  result: z.string().nullable(),
  createdAt: z.string(),
});
export type TimelineEventView = z.infer<typeof timelineEventView>;

export const timelineEntry = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('message'), at: z.string(), message: messageView }),
  z.object({ kind: z.literal('event'), at: z.string(), event: timelineEventView }),
]);
export type TimelineEntry = z.infer<typeof timelineEntry>;

/**
 * One page of a task's conversation. The first page is the newest; `nextCursor`
 * leads to older ones. Within a page, entries run oldest → newest.
 */
export const messagePage = z.object({
  items: z.array(timelineEntry),
  nextCursor: z.string().nullable(),
  /** Messages of others, not deleted, after the caller's seen mark. */
  unread: z.number().int(),
  /** The `seq` of the last message the caller marked seen (0: none). */
  seenUpTo: z.number().int(),
});
export type MessagePage = z.infer<typeof messagePage>;

export const unreadView = z.object({ taskId: z.string(), unread: z.number().int(), seenUpTo: z.number().int() });
export const seenResponse = unreadView;
export type SeenResponse = z.infer<typeof seenResponse>;

export const unreadSummary = z.object({
  total: z.number().int(),
  tasks: z.array(z.object({ taskId: z.string(), unread: z.number().int() })),
});
export type UnreadSummary = z.infer<typeof unreadSummary>;

/** `@name` tokens of a body (letters, digits, `.`, `_`, `-`), lower-cased, each once. */
export function mentionTokens(body: string): string[] {
  const out = new Set<string>();
  for (const m of body.matchAll(/(?<![\p{L}\p{N}_.@-])@([\p{L}\p{N}][\p{L}\p{N}._-]{0,63})/gu)) out.add(m[1]!.replace(/[._-]+$/, '').toLowerCase());
  return [...out];
}

/** The handles `@…` that name a user: the name without spaces, its first word, the e-mail's local part (lower case). */
export function mentionHandles(user: { name: string; email?: string }): string[] {
  const name = user.name.trim().toLowerCase();
  const handles = [name.replace(/\s+/g, ''), name.split(/\s+/)[0] ?? ''];
  if (user.email) handles.push(user.email.split('@')[0]!.toLowerCase());
  return [...new Set(handles.filter(Boolean))];
}
