import type { NotificationView } from '@handoff/contracts';
import { ActionIcon, Anchor, Button, Divider, Group, Indicator, Popover, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import { IconBell } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../api/endpoints';
import { qk } from '../api/query-keys';
import { formatDateTime } from '../lib/format';

/** One entry: unread ones stand out; opening it marks it read and goes to its task. */
export function NotificationItem({ n, onOpen }: { n: NotificationView; onOpen: (n: NotificationView) => void }) {
  return (
    <UnstyledButton onClick={() => onOpen(n)} p="xs" style={{ borderRadius: 6, background: n.readAt ? undefined : 'var(--mantine-color-blue-light)' }} data-testid="notification" data-unread={n.readAt ? undefined : true}>
      <Text size="sm" fw={n.readAt ? 400 : 600} lineClamp={2}>
        {n.title}
      </Text>
      <Text size="xs" c="dimmed" lineClamp={2}>
        {n.body}
      </Text>
      <Text size="xs" c="dimmed">
        {formatDateTime(n.createdAt)}
      </Text>
    </UnstyledButton>
  );
}

export function useOpenNotification(after?: () => void) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const read = useMutation({
    mutationFn: (id: string) => api.readNotification(id),
    onSuccess: (r) => {
      client.setQueryData(qk.notificationCount, r);
      void client.invalidateQueries({ queryKey: [...qk.notifications, 'list'] });
    },
  });
  return (n: NotificationView) => {
    if (!n.readAt) read.mutate(n.id);
    after?.();
    if (n.link) void navigate(n.link);
  };
}

/** The bell in the header: the unread count, kept live by `notification.*` events, and the latest entries. */
export function NotificationBell() {
  const [opened, setOpened] = useState(false);
  const client = useQueryClient();
  const count = useQuery({ queryKey: qk.notificationCount, queryFn: api.unreadNotifications });
  const latest = useQuery({ queryKey: qk.notificationList(false), queryFn: () => api.notifications({ limit: 10 }), enabled: opened });
  const open = useOpenNotification(() => setOpened(false));
  const readAll = useMutation({
    mutationFn: api.readAllNotifications,
    onSuccess: (r) => {
      client.setQueryData(qk.notificationCount, { unread: r.unread });
      void client.invalidateQueries({ queryKey: [...qk.notifications, 'list'] });
    },
  });
  const unread = count.data?.unread ?? 0;
  return (
    // The badge wraps the popover, not its target: the target gets aria-expanded, which only a button may carry.
    <Indicator label={unread > 99 ? '99+' : unread} size={16} disabled={unread === 0} offset={4} data-testid="notification-count">
      <Popover opened={opened} onChange={setOpened} width={360} position="bottom-end" shadow="md">
        <Popover.Target>
          <ActionIcon variant="subtle" color="gray" size="lg" aria-label={unread ? `Notifications, ${unread} unread` : 'Notifications'} onClick={() => setOpened((o) => !o)}>
            <IconBell size={18} aria-hidden />
          </ActionIcon>
        </Popover.Target>
        <Popover.Dropdown p="xs">
          <Group justify="space-between" mb={4}>
            <Text fw={600} size="sm">
              Notifications
            </Text>
            <Button variant="subtle" size="compact-xs" disabled={unread === 0 || readAll.isPending} onClick={() => readAll.mutate()}>
              Mark all read
            </Button>
          </Group>
          <ScrollArea.Autosize mah={380}>
            <Stack gap={4}>
              {latest.data?.items.map((n) => <NotificationItem key={n.id} n={n} onOpen={open} />)}
              {latest.data && !latest.data.items.length && (
                <Text size="sm" c="dimmed" p="xs">
                  Nothing yet. You will hear here when your work moves.
                </Text>
              )}
            </Stack>
          </ScrollArea.Autosize>
          <Divider my={6} />
          <Anchor component={Link} to="/notifications" size="sm" onClick={() => setOpened(false)}>
            All notifications and settings
          </Anchor>
        </Popover.Dropdown>
      </Popover>
    </Indicator>
  );
}
