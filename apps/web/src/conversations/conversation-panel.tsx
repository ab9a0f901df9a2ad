import { MESSAGE_EDIT_WINDOW_MS, postMessageBody, type MessageView, type TimelineEntry, type TimelineEventView, type UserView } from '@handoff/contracts';
import { Badge, Button, Card, Group, Stack, Text, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api } from '../api/endpoints';
import { isApiError } from '../api/http';
import { qk } from '../api/query-keys';
import { Markdown } from '../components/markdown';
import { contractResolver, focusFirstError, showServerFieldError } from '../forms/contract-form';
import { formatDateTime } from '../lib/format';
import { useNow } from '../lib/use-now';
import { STATUS_LABELS } from '../lib/task-display';
import { ACTION_LABELS, ROLE_LABELS } from '../tasks/task-timeline';
import { messagesOf, setUnread, upsertMessage, type ConversationData } from './conversation-cache';

type Viewer = Pick<UserView, 'id' | 'role'>;

const bodyResolver = contractResolver<{ body: string }>(postMessageBody, { toBody: (v) => ({ body: v.body }), required: { body: 'Write a message first' } });

/** The task's conversation: messages and state changes in one time order, a composer, and the unread count kept in step. */
export function ConversationPanel({ taskId, viewer }: { taskId: string; viewer: Viewer }) {
  const client = useQueryClient();
  const query = useInfiniteQuery({
    queryKey: qk.conversation(taskId),
    queryFn: ({ pageParam }) => api.messages(taskId, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const patch = (message: MessageView) => client.setQueryData<ConversationData>(qk.conversation(taskId), (d) => upsertMessage(d, message));

  // Viewing the panel is seeing it: mark seen up to the newest message whenever a newer one shows.
  const newest = messagesOf(query.data).at(-1);
  const marked = useRef(0);
  const seenUpTo = query.data?.pages[0]?.seenUpTo ?? 0;
  useEffect(() => {
    if (!newest || newest.seq <= Math.max(seenUpTo, marked.current)) return;
    marked.current = newest.seq;
    api
      .markSeen(taskId, newest.id)
      .then((r) => client.setQueryData(qk.unread, (s: Parameters<typeof setUnread>[0]) => setUnread(s, taskId, r.unread)))
      .catch(() => undefined);
  }, [client, newest, seenUpTo, taskId]);

  if (isApiError(query.error, 404)) return null;
  // Older pages first, each page already oldest → newest.
  const entries = [...(query.data?.pages ?? [])].reverse().flatMap((p) => p.items);
  return (
    <Card withBorder padding="lg" aria-labelledby="conversation-title">
      <Title order={2} size="h4" mb="sm" id="conversation-title">
        Conversation
      </Title>
      {query.hasNextPage && (
        <Button variant="subtle" size="xs" mb="sm" loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
          Show earlier
        </Button>
      )}
      {query.isPending ? (
        <Text c="dimmed" size="sm">
          Loading…
        </Text>
      ) : query.error ? (
        <Text c="red" size="sm">
          The conversation could not be loaded.
        </Text>
      ) : (
        <Stack gap="sm" component="ol" aria-label="Conversation" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {entries.length === 0 && (
            <Text c="dimmed" size="sm">
              No messages yet.
            </Text>
          )}
          {entries.map((e) => (
            <li key={e.kind === 'message' ? `m-${e.message.id}` : `e-${e.event.id}`}>{renderEntry(e, viewer, taskId, patch)}</li>
          ))}
        </Stack>
      )}
      <Composer taskId={taskId} onPosted={patch} />
    </Card>
  );
}

function renderEntry(e: TimelineEntry, viewer: Viewer, taskId: string, patch: (m: MessageView) => void) {
  return e.kind === 'message' ? <MessageItem message={e.message} viewer={viewer} taskId={taskId} onChanged={patch} /> : <EventItem event={e.event} />;
}

function EventItem({ event }: { event: TimelineEventView }) {
  return (
    <Stack gap={2} data-testid="conversation-event">
      <Text size="xs" c="dimmed">
        {ACTION_LABELS[event.action] ?? STATUS_LABELS[event.toStatus as keyof typeof STATUS_LABELS] ?? event.action} · by {ROLE_LABELS[event.actorRole] ?? event.actorRole} ·{' '}
        {formatDateTime(event.createdAt)}
      </Text>
      {event.note && (
        <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
          {event.note}
        </Text>
      )}
      {event.result && (
        <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="conversation-result">
          {event.result}
        </Text>
      )}
    </Stack>
  );
}

function MessageItem({ message, viewer, taskId, onChanged }: { message: MessageView; viewer: Viewer; taskId: string; onChanged: (m: MessageView) => void }) {
  const now = useNow();
  const [editing, setEditing] = useState(false);
  const mine = message.authorId === viewer.id;
  const deleted = message.deletedAt !== null;
  const editable = mine && !deleted && Math.max(now, Date.now()) - Date.parse(message.createdAt) < MESSAGE_EDIT_WINDOW_MS;
  const remove = useMutation({ mutationFn: () => api.deleteMessage(taskId, message.id), onSuccess: onChanged });
  return (
    <Card withBorder padding="sm" radius="md" data-testid="conversation-message" data-message-id={message.id} bg={mine ? 'var(--mantine-color-default-hover)' : undefined}>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="xs" fw={600}>
          {mine ? 'You' : (message.authorName ?? 'Someone')}{' '}
          <Text span size="xs" c="dimmed" fw={400}>
            · {ROLE_LABELS[message.authorRole] ?? message.authorRole} · {formatDateTime(message.createdAt)}
          </Text>
        </Text>
        <Group gap={4} wrap="nowrap">
          {message.editedAt && !deleted && (
            <Badge size="xs" variant="light" color="gray" title={`Edited ${formatDateTime(message.editedAt)}`}>
              edited
            </Badge>
          )}
          {editable && !editing && (
            <Button size="compact-xs" variant="subtle" onClick={() => setEditing(true)}>
              Edit
            </Button>
          )}
          {mine && !deleted && !editing && (
            <Button size="compact-xs" variant="subtle" color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
              Delete
            </Button>
          )}
        </Group>
      </Group>
      {deleted ? (
        <Text size="sm" c="dimmed" fs="italic" mt={4}>
          This message was deleted.
        </Text>
      ) : editing ? (
        <EditForm taskId={taskId} message={message} onDone={(m) => (m && onChanged(m), setEditing(false))} />
      ) : (
        <div style={{ marginTop: 4 }}>
          <Markdown source={message.body ?? ''} />
        </div>
      )}
      {remove.error && (
        <Text size="xs" c="red">
          {remove.error.message}
        </Text>
      )}
    </Card>
  );
}

function EditForm({ taskId, message, onDone }: { taskId: string; message: MessageView; onDone: (m?: MessageView) => void }) {
  const form = useForm({ initialValues: { body: message.body ?? '' }, validate: bodyResolver });
  const save = useMutation({
    mutationFn: (body: string) => api.editMessage(taskId, message.id, body),
    onSuccess: (m) => onDone(m),
    onError: (e) => {
      if (!showServerFieldError(form, e, ['body'])) form.setFieldError('body', e.message);
    },
  });
  return (
    <form onSubmit={form.onSubmit((v) => save.mutate(v.body), focusFirstError)} noValidate>
      <Textarea aria-label="Edit message" autosize minRows={2} mt={4} {...form.getInputProps('body')} />
      <Group gap="xs" mt={4}>
        <Button size="compact-sm" type="submit" loading={save.isPending}>
          Save
        </Button>
        <Button size="compact-sm" variant="default" onClick={() => onDone()}>
          Cancel
        </Button>
      </Group>
    </form>
  );
}

function Composer({ taskId, onPosted }: { taskId: string; onPosted: (m: MessageView) => void }) {
  const form = useForm({ initialValues: { body: '' }, validate: bodyResolver });
  const post = useMutation({
    mutationFn: (body: string) => api.postMessage(taskId, body),
    onSuccess: (m) => {
      onPosted(m);
      form.reset();
    },
    onError: (e) => {
      if (!showServerFieldError(form, e, ['body'])) form.setFieldError('body', e.message);
    },
  });
  return (
    <form onSubmit={form.onSubmit((v) => post.mutate(v.body), focusFirstError)} noValidate>
      <Textarea
        mt="md"
        label="Message"
        description="Markdown: **bold**, *italic*, `code`, lists, links; @name mentions someone on the task"
        autosize
        minRows={2}
        maxRows={10}
        {...form.getInputProps('body')}
      />
      <Group justify="flex-end" mt="xs">
        <Button type="submit" loading={post.isPending}>
          Send
        </Button>
      </Group>
    </form>
  );
}

/** The caller's unread count on a task, for lists; nothing when there is none. */
export function UnreadBadge({ taskId }: { taskId: string }) {
  const { data } = useQuery({ queryKey: qk.unread, queryFn: api.unread, staleTime: 30_000, retry: false });
  const n = data?.tasks.find((t) => t.taskId === taskId)?.unread ?? 0;
  if (!n) return null;
  return (
    <Badge size="xs" circle={n < 10} color="blue" ml={6} aria-label={`${n} unread message${n === 1 ? '' : 's'}`} data-testid="unread-badge">
      {n}
    </Badge>
  );
}
