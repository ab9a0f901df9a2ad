import type { MessageLivePayload, MessagePage, MessageView, TimelineEntry, UnreadSummary } from '@handoff/contracts';
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import { qk } from '../api/query-keys';

export type ConversationData = InfiniteData<MessagePage>;

/** The message in its place on the cached pages: replaced where it is (a newer version only), appended to the newest page otherwise. */
export function upsertMessage(data: ConversationData | undefined, message: MessageView): ConversationData | undefined {
  if (!data) return data;
  let found = false;
  const pages = data.pages.map((page) => {
    let changed = false;
    const items = page.items.map((item): TimelineEntry => {
      if (item.kind !== 'message' || item.message.id !== message.id) return item;
      found = true;
      if (item.message.version >= message.version) return item;
      changed = true;
      return { ...item, message };
    });
    return changed ? { ...page, items } : page;
  });
  if (found) return { ...data, pages };
  const [newest, ...older] = pages;
  if (!newest) return data;
  const entry: TimelineEntry = { kind: 'message', at: message.createdAt, message };
  const items = [...newest.items, entry].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || seqOf(a) - seqOf(b));
  return { ...data, pages: [{ ...newest, items }, ...older] };
}

const seqOf = (e: TimelineEntry) => (e.kind === 'message' ? e.message.seq : 0);

/** One task's unread count in the summary, the total following it. */
export function setUnread(summary: UnreadSummary | undefined, taskId: string, unread: number): UnreadSummary | undefined {
  if (!summary) return summary;
  const others = summary.tasks.filter((t) => t.taskId !== taskId);
  const tasks = unread > 0 ? [{ taskId, unread }, ...others] : others;
  return { tasks, total: tasks.reduce((n, t) => n + t.unread, 0) };
}

/** A live message event folded into the cached conversation and the unread counts. */
export function applyMessageEvent(client: QueryClient, { taskId, message, unread }: MessageLivePayload): void {
  client.setQueryData<ConversationData>(qk.conversation(taskId), (data) => upsertMessage(data, message));
  client.setQueryData<UnreadSummary>(qk.unread, (summary) => setUnread(summary, taskId, unread));
}

/** The messages of the cached pages, oldest first. */
export function messagesOf(data: ConversationData | undefined): MessageView[] {
  return (data?.pages ?? [])
    .flatMap((p) => p.items)
    .flatMap((i) => (i.kind === 'message' ? [i.message] : []))
    .sort((a, b) => a.seq - b.seq);
}
