import { isAwaitingReturn, RETRY_JOBS_MAX, TASK_STATUSES, type FailedJob, type QueueName, type RetryJobsResult, type TaskStatus } from '@handoff/contracts';
import { Anchor, Badge, Box, Button, Card, Group, SimpleGrid, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconRefresh } from '@tabler/icons-react';
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId } from 'react';
import { Link } from 'react-router';
import { api } from '../api/endpoints';
import { errorMessage, isApiError } from '../api/http';
import { qk } from '../api/query-keys';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { QueryState } from '../components/query-state';
import { BarChartFigure } from '../charts/bar-chart-figure';
import { SortableHeads, useSort, type SortableHead, type SortColumns } from '../components/sortable';
import { formatDateTime } from '../lib/format';
import { STATUS_COLORS, STATUS_LABELS, isOverdue } from '../lib/task-display';
import { useNow } from '../lib/use-now';
import { failingQueues, normalizeQueueStats, type QueueRow } from './queues';

const POLL_MS = 10_000;
const COUNT_LIMIT = 200;
const FAILED_LIMIT = 20;
/** An announce job can name a whole relay batch of tasks; a few links are enough to start looking. */
const TASK_LINKS = 3;

const STATE_SERIES = [{ name: 'tasks', label: 'Tasks', color: 'blue.6' }];

type QueueColumn = 'name' | 'waiting' | 'active' | 'delayed' | 'failed';
const QUEUE_COLUMNS: SortColumns<QueueRow, QueueColumn> = {
  name: (q) => q.name,
  waiting: (q) => q.waiting,
  active: (q) => q.active,
  delayed: (q) => q.delayed,
  failed: (q) => q.failed,
};
const QUEUE_HEADS: SortableHead<QueueColumn>[] = [
  { column: 'name', label: 'Queue' },
  { column: 'waiting', label: 'Waiting', numeric: true },
  { column: 'active', label: 'Active', numeric: true },
  { column: 'delayed', label: 'Delayed', numeric: true },
  { column: 'failed', label: 'Failed', numeric: true },
];

type JobColumn = 'job' | 'reason' | 'attempts' | 'failed';
const JOB_COLUMNS: SortColumns<FailedJob, JobColumn> = {
  job: (j) => j.name,
  reason: (j) => j.failedReason,
  attempts: (j) => j.attemptsMade,
  failed: (j) => (j.failedAt ? Date.parse(j.failedAt) : null),
};
const JOB_HEADS: SortableHead<JobColumn>[] = [
  { column: 'job', label: 'Job' },
  { column: 'reason', label: 'Reason' },
  { column: 'attempts', label: 'Attempts', numeric: true },
  { column: 'failed', label: 'Failed' },
];

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
  const queueSort = useSort(rows, QUEUE_COLUMNS);
  const qth = { sort: queueSort.sort, onSort: queueSort.toggle };
  const openTasks = counts.flatMap((c, i) => (isAwaitingReturn(TASK_STATUSES[i]!) ? (c.data?.items ?? []) : []));
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

      {stats.taskCounts && (
        <Card withBorder mb="xl">
          <Title order={2} size="h4" mb="sm">
            Tasks per state
          </Title>
          <BarChartFigure
            label="Tasks per state"
            data={TASK_STATUSES.map((status) => ({ state: STATUS_LABELS[status], tasks: stats.taskCounts?.[status] ?? 0 }))}
            dataKey="state"
            series={STATE_SERIES}
            valueFormatter={(n) => n.toLocaleString()}
            xAxisLabel="State"
            yAxisLabel="Tasks"
            h={240}
            withValueLabels
            counts
            minWidth={520}
          />
        </Card>
      )}

      <Title order={2} size="h4" mb="sm">
        Background queues
      </Title>
      <Anchor href="/api/admin/jobs" size="sm" mb="sm" display="inline-block">Browse every job (queue board)</Anchor>
      <Card withBorder padding={0}>
        <QueryState isPending={queues.isPending} error={isApiError(queues.error, 404) ? null : queues.error} onRetry={() => void queues.refetch()}>
          {rows.length === 0 ? (
            <EmptyState title="No queue data">The queue monitor is not reporting yet. Check that the API and Redis are running.</EmptyState>
          ) : (
            // Five sortable columns are wider than a phone; the table scrolls in its card rather than being cut off.
            <Table.ScrollContainer minWidth={480} type="native">
              <Table verticalSpacing="sm" aria-label="Queues">
                <Table.Thead>
                  <Table.Tr>
                    <SortableHeads heads={QUEUE_HEADS} {...qth} />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {queueSort.sorted.map((q) => (
                    <Table.Tr key={q.name} data-testid={`queue-row-${q.name}`}>
                      <Table.Td fw={600}>{q.name}</Table.Td>
                      <Table.Td ta="right">{q.waiting}</Table.Td>
                      <Table.Td ta="right">{q.active}</Table.Td>
                      <Table.Td ta="right">{q.delayed}</Table.Td>
                      <Table.Td ta="right">
                        <Text span size="sm" c={q.failed ? 'red.9' : undefined} fw={q.failed ? 700 : undefined}>
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

      {failingQueues(rows).map((q) => (
        <FailedJobs key={q.name} queue={q.name} />
      ))}
    </>
  );
}

const jobCount = (n: number) => `${n} ${n === 1 ? 'job' : 'jobs'}`;

export function retriedMessage({ retried, skipped }: RetryJobsResult): string {
  if (skipped.length === 0) return `${jobCount(retried)} retried.`;
  return `${jobCount(retried)} retried; ${skipped.length} skipped because ${skipped.length === 1 ? 'it was' : 'they were'} no longer failed.`;
}

function FailedJobs({ queue }: { queue: QueueName }) {
  const client = useQueryClient();
  const headingId = useId();
  const failed = useQuery({
    queryKey: qk.failedJobs(queue, FAILED_LIMIT),
    queryFn: () => api.failedJobs(queue, FAILED_LIMIT),
    refetchInterval: POLL_MS,
  });
  const retry = useMutation({
    mutationFn: (jobIds: string[] | undefined) => api.retryJobs(queue, jobIds),
    onSuccess: (result) => {
      // qk.queues prefixes the failed-job lists, so this refreshes both the counts and the lists.
      void client.invalidateQueries({ queryKey: qk.queues });
      notifications.show({ message: retriedMessage(result), color: result.retried ? 'green' : 'gray' });
    },
    onError: (e) => notifications.show({ title: `Could not retry ${queue} jobs`, message: errorMessage(e), color: 'red' }),
  });
  const loaded = failed.data?.items ?? [];
  const total = failed.data?.total ?? 0;
  const { sorted: items, sort, toggle } = useSort(loaded, JOB_COLUMNS);
  // Only the newest FAILED_LIMIT come back, so a sort reorders those, not every failure.
  const jth = { sort, onSort: toggle, hint: total > loaded.length ? `Sorts the newest ${loaded.length} of ${total} failed jobs shown here.` : undefined };
  const retryingAll = retry.isPending && retry.variables === undefined;

  return (
    <Box component="section" mt="xl" aria-labelledby={headingId} data-testid={`failed-jobs-${queue}`}>
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h5" id={headingId}>
          Failed jobs in {queue}
        </Title>
        <Button
          size="xs"
          variant="light"
          color="red"
          leftSection={<IconRefresh size={16} aria-hidden />}
          onClick={() => retry.mutate(undefined)}
          loading={retryingAll}
          disabled={retry.isPending || (failed.isSuccess && total === 0)}
          aria-label={`Retry all failed jobs in ${queue}`}
          data-testid={`retry-failed-${queue}`}
        >
          Retry all failed
        </Button>
      </Group>
      <Card withBorder padding={0}>
        <QueryState isPending={failed.isPending} error={failed.error} onRetry={() => void failed.refetch()}>
          {items.length === 0 ? (
            <EmptyState title="No failed jobs">They were retried or removed since the counts above were taken.</EmptyState>
          ) : (
            <>
              <Table.ScrollContainer minWidth={760} type="native">
                <Table verticalSpacing="sm" aria-label={`Failed jobs in ${queue}`}>
                  <Table.Thead>
                    <Table.Tr>
                      <SortableHeads heads={JOB_HEADS} {...jth} />
                      <Table.Th>Tasks</Table.Th>
                      <Table.Th ta="right">Actions</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {items.map((job) => (
                      <FailedJobRow
                        key={job.id}
                        job={job}
                        retrying={retry.isPending && retry.variables?.[0] === job.id}
                        disabled={retry.isPending}
                        onRetry={() => retry.mutate([job.id])}
                      />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              {total > items.length && (
                <Text size="xs" c="dimmed" px="md" py="xs">
                  Showing the newest {items.length} of {total} failed jobs. Retry all takes the {RETRY_JOBS_MAX} most recent at a time.
                </Text>
              )}
            </>
          )}
        </QueryState>
      </Card>
    </Box>
  );
}

function FailedJobRow({ job, retrying, disabled, onRetry }: { job: FailedJob; retrying: boolean; disabled: boolean; onRetry: () => void }) {
  const hidden = job.taskIds.slice(TASK_LINKS);
  return (
    <Table.Tr data-testid={`failed-job-row-${job.id}`}>
      <Table.Td maw={220}>
        <Text size="sm" fw={600}>
          {job.name}
        </Text>
        <Text size="xs" c="dimmed" truncate="end" title={job.id}>
          {job.id}
        </Text>
      </Table.Td>
      <Table.Td maw={360}>
        <Text size="sm" lineClamp={2} title={job.failedReason} style={{ wordBreak: 'break-word' }}>
          {job.failedReason || '—'}
        </Text>
      </Table.Td>
      <Table.Td ta="right">{job.attemptsMade}</Table.Td>
      <Table.Td>
        <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
          {formatDateTime(job.failedAt)}
        </Text>
      </Table.Td>
      <Table.Td>
        {job.taskIds.length === 0 ? (
          <Text size="sm" c="dimmed">
            —
          </Text>
        ) : (
          <Group gap={6}>
            {job.taskIds.slice(0, TASK_LINKS).map((id) => (
              <Anchor key={id} component={Link} to={`/admin/tasks/${id}`} size="sm" aria-label={`Task ${id}`}>
                {id.slice(0, 8)}
              </Anchor>
            ))}
            {hidden.length > 0 && (
              <Text span size="xs" c="dimmed" title={hidden.join(', ')}>
                +{hidden.length} more
              </Text>
            )}
          </Group>
        )}
      </Table.Td>
      <Table.Td ta="right">
        <Button size="xs" variant="subtle" onClick={onRetry} loading={retrying} disabled={disabled} aria-label={`Retry job ${job.id}`}>
          Retry
        </Button>
      </Table.Td>
    </Table.Tr>
  );
}
