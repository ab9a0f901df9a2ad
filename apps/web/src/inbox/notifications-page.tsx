import { NOTIFICATION_KINDS, type NotificationChannel, type NotificationKind } from '@handoff/contracts';
import { Card, Group, SegmentedControl, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/endpoints';
import { qk } from '../api/query-keys';
import { LoadMore } from '../components/load-more';
import { PageHeader } from '../components/page-header';
import { QueryState } from '../components/query-state';
import { NotificationItem, useOpenNotification } from './notification-bell';

const KIND_LABELS: Record<NotificationKind, string> = {
  task_available: 'New work in my skills',
  task_claimed: 'My task was claimed',
  task_returned: 'My task came back for review',
  revision_requested: 'A revision was asked of me',
  task_accepted: 'My work was accepted',
  task_overdue: 'A task is overdue',
  message: 'A message on a task',
  mention: 'Someone mentioned me',
  refund_posted: 'A refund was posted',
  webhook_disabled: 'A webhook endpoint was turned off',
};

const CHANNELS: { value: NotificationChannel; label: string }[] = [
  { value: 'app', label: 'In the app' },
  { value: 'email', label: 'E-mail too' },
  { value: 'off', label: 'Off' },
];

function ChannelSettings() {
  const client = useQueryClient();
  const settings = useQuery({ queryKey: qk.notificationSettings, queryFn: api.notificationSettings });
  const save = useMutation({
    mutationFn: (change: { kind: NotificationKind; channel: NotificationChannel }) => api.updateNotificationSettings({ channels: { [change.kind]: change.channel } }),
    onSuccess: (view) => client.setQueryData(qk.notificationSettings, view),
  });
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb="xs">
        How you hear of each
      </Title>
      <QueryState isPending={settings.isPending} error={settings.error} onRetry={() => void settings.refetch()}>
        {settings.data && (
          <Table>
            <Table.Tbody>
              {NOTIFICATION_KINDS.map((kind) => (
                <Table.Tr key={kind}>
                  <Table.Td>
                    <Text size="sm">{KIND_LABELS[kind]}</Text>
                  </Table.Td>
                  <Table.Td>
                    <SegmentedControl
                      size="xs"
                      aria-label={KIND_LABELS[kind]}
                      data={CHANNELS}
                      value={settings.data.channels[kind]}
                      onChange={(channel) => save.mutate({ kind, channel: channel as NotificationChannel })}
                    />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
    </Card>
  );
}

export function NotificationsPage() {
  const [unreadOnly, setUnreadOnly] = useState(false);
  const open = useOpenNotification();
  const list = useInfiniteQuery({
    queryKey: qk.notificationList(unreadOnly),
    queryFn: ({ pageParam }) => api.notifications({ unreadOnly, cursor: pageParam, limit: 30 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack>
      <PageHeader title="Notifications" description="Everything that happened to your work, newest first." />
      <Group>
        <Switch label="Unread only" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.currentTarget.checked)} />
      </Group>
      <Card withBorder>
        <Stack gap={4}>
          {items.map((n) => (
            <NotificationItem key={n.id} n={n} onOpen={open} />
          ))}
          {list.isSuccess && !items.length && (
            <Text size="sm" c="dimmed">
              {unreadOnly ? 'Nothing unread.' : 'Nothing yet.'}
            </Text>
          )}
        </Stack>
        <LoadMore hasMore={list.hasNextPage} loading={list.isFetchingNextPage} onLoadMore={() => void list.fetchNextPage()} />
      </Card>
      <ChannelSettings />
    </Stack>
  );
}
