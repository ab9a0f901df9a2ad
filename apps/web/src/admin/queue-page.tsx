import { TASK_STATUSES, type TaskStatus } from '@handoff/contracts';
import { Anchor, Badge, Card, Group, SimpleGrid, Table, Text, Title } from '@mantine/core';
import { useQueries, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api/endpoints';
import { isApiError } from '../api/http';
import { qk } from '../api/query-keys';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { QueryState } from '../components/query-state';
import { STATUS_COLORS, STATUS_LABELS, isOverdue } from '../lib/task-display';
import { useNow } from '../lib/use-now';
import { normalizeQueueStats } from './queues';

const POLL_MS = 10_000;
const COUNT_LIMIT = 200;

export function QueuePage() {
  const now = useNow();
  const queues = useQuery({ queryKey: qk.queues, queryFn: api.queues, refetchInterval: POLL_MS });
  const stats = normalizeQueueStats(queues.data);
  // Without exact counts from the API, count from the task lists (capped per state).
  const countFromLists = queues.isSuccess && stats.taskCounts === null;
  const counts = useQueries({
    queries: TASK_STATUSES.map((status) => ({
      queryKey: qk.taskCounts(status),
      queryFn: () => api.listTasks({ status, limit: COUNT_LIMIT }),
      refetchInterval: POLL_MS,
      enabled: countFromLists || queues.isError,
    })),
  });
  const rows = stats.queues;
  const openTasks = counts.flatMap((c, i) => (['queued', 'claimed', 'in_progress'].includes(TASK_STATUSES[i]!) ? (c.data?.items ?? []) : []));
  const overdue = stats.overdue ?? openTasks.filter((t) => isOverdue(t, now)).length;
  const escalated = stats.escalated ?? openTasks.filter((t) => t.escalated).length;

  const countFor = (status: TaskStatus, i: number): string => {
    if (stats.taskCounts) return String(stats.taskCounts[status] ?? 0);
    const c = counts[i]!;
    if (c.isPending) return '…';
    if (c.error) return '—';
    return `${c.data?.items.length ?? 0}${c.data?.nextCursor ? '+' : ''}`;
  };

  return (
    <>
      <PageHeader title="Queue health" description="Work in flight and the background queues that move it. Task counts update live; queue counts refresh every 10 seconds." />

      <Title order={2} size="h4" mb="sm">
        Tasks by state
      </Title>
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="md" mb="md">
        {TASK_STATUSES.map((status: TaskStatus, i) => {
          return (
            <Card withBorder key={status} padding="md" data-testid={`state-count-${status}`}>
              <Badge color={STATUS_COLORS[status]} variant="light" mb={6}>
                {STATUS_LABELS[status]}
              </Badge>
              <Text size="1.75rem" fw={700} lh={1.1}>
                {queues.isPending ? '…' : countFor(status, i)}
              </Text>
              <Anchor component={Link} to={`/admin/tasks?status=${status}`} size="xs" aria-label={`View ${STATUS_LABELS[status].toLowerCase()} tasks`}>
                View
              </Anchor>
            </Card>
          );
        })}
      </SimpleGrid>
      <Group gap="sm" mb="xl">
        <Badge color={overdue ? 'red' : 'gray'} variant={overdue ? 'filled' : 'light'} size="lg" data-testid="overdue-count">
          {overdue} overdue
        </Badge>
        <Badge color={escalated ? 'orange' : 'gray'} variant={escalated ? 'filled' : 'light'} size="lg" data-testid="escalated-count">
          {escalated} escalated
        </Badge>
        {stats.outboxPending !== null && (
          <Badge color={stats.outboxPending > 50 ? 'orange' : 'gray'} variant="light" size="lg" data-testid="outbox-pending">
            {stats.outboxPending} events waiting to be relayed
          </Badge>
        )}
      </Group>

      <Title order={2} size="h4" mb="sm">
        Background queues
      </Title>
      <Card withBorder padding={0}>
        <QueryState isPending={queues.isPending} error={isApiError(queues.error, 404) ? null : queues.error} onRetry={() => void queues.refetch()}>
          {rows.length === 0 ? (
            <EmptyState title="No queue data">The queue monitor is not reporting yet. Check that the API and Redis are running.</EmptyState>
          ) : (
            <Table.ScrollContainer minWidth={480} type="native">
              <Table verticalSpacing="sm" aria-label="Queues">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Queue</Table.Th>
                    <Table.Th ta="right">Waiting</Table.Th>
                    <Table.Th ta="right">Active</Table.Th>
                    <Table.Th ta="right">Delayed</Table.Th>
                    <Table.Th ta="right">Failed</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((q) => (
                    <Table.Tr key={q.name} data-testid={`queue-row-${q.name}`}>
                      <Table.Td fw={600}>{q.name}</Table.Td>
                      <Table.Td ta="right">{q.waiting}</Table.Td>
                      <Table.Td ta="right">{q.active}</Table.Td>
                      <Table.Td ta="right">{q.delayed}</Table.Td>
                      <Table.Td ta="right">
                        <Text span size="sm" c={q.failed ? 'red.7' : undefined} fw={q.failed ? 700 : undefined}>
                          {q.failed}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </QueryState>
      </Card>
    </>
  );
}
