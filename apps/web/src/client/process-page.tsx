import { formatMoney, type ProcessStats, type TemplateProcess, type TemplateRun } from '@handoff/contracts';
import { Anchor, Badge, Card, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api } from '../api/endpoints';
import { qk } from '../api/query-keys';
import { BarChartFigure } from '../charts/bar-chart-figure';
import { EmptyState } from '../components/empty-state';
import { LoadMore } from '../components/load-more';
import { PageHeader } from '../components/page-header';
import { QueryState } from '../components/query-state';
import { StatusBadge } from '../components/status-badge';
import { formatDateTime, formatDuration, formatMonth } from '../lib/format';

const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)}%`);
const duration = (seconds: number | null) => (seconds === null ? '—' : formatDuration(seconds * 1000));
/** "Dec 1": the week's Monday, short enough for an axis tick. */
const weekTick = (week: string) => new Date(`${week}T00:00:00`).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });

/** One template's process: how its tasks went, what they cost, and each run. */
export function ProcessPage() {
  const { id = '' } = useParams();
  const template = useQuery({ queryKey: qk.template(id), queryFn: () => api.template(id) });
  const process = useQuery({ queryKey: qk.templateProcess(id), queryFn: () => api.templateProcess(id) });
  const runs = useInfiniteQuery({
    queryKey: qk.templateRuns(id),
    queryFn: ({ pageParam }) => api.templateRuns(id, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = runs.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHeader
        title={template.data ? `${template.data.name}: process` : 'Process'}
        description={
          <Anchor component={Link} to="/client/templates" size="sm">
            All templates
          </Anchor>
        }
      />
      <QueryState isPending={process.isPending} error={process.error} onRetry={() => void process.refetch()}>
        {process.data && <Figures data={process.data} />}
      </QueryState>
      <Card withBorder padding={0} mt="lg">
        <Title order={2} size="h4" p="md" pb={0}>
          Runs
        </Title>
        <QueryState isPending={runs.isPending} error={runs.error} onRetry={() => void runs.refetch()}>
          {rows.length === 0 ? <EmptyState title="No runs yet">Tasks made from this template appear here.</EmptyState> : <RunsTable runs={rows} />}
          <LoadMore hasMore={runs.hasNextPage} loading={runs.isFetchingNextPage} onLoadMore={() => void runs.fetchNextPage()} />
        </QueryState>
      </Card>
    </>
  );
}

function Figures({ data }: { data: TemplateProcess }) {
  const spendCurrency = data.spendThisMonth[0]?.currency ?? data.weeks.flatMap((w) => w.spend)[0]?.currency;
  const weeks = data.weeks.map((w) => ({
    week: w.week,
    submitted: w.submitted,
    onTime: w.returnedOnTime,
    late: w.returnedLate,
    spend: (w.spend.find((s) => s.currency === spendCurrency)?.netCents ?? 0) / 100,
  }));
  return (
    <Stack gap="lg">
      <StatRow label="Last 30 days" stats={data.stats.last30Days} />
      <StatRow label="All time" stats={data.stats.allTime} />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Card withBorder data-testid="spend-this-month">
          <Text size="sm" c="dimmed">
            Spend in {formatMonth(data.month)} ({data.timeZone})
          </Text>
          {data.spendThisMonth.length === 0 ? (
            <Text size="xl" fw={700}>
              {formatMoney(0, 'USD')}
            </Text>
          ) : (
            data.spendThisMonth.map((s) => (
              <div key={s.currency}>
                <Text size="xl" fw={700}>
                  {formatMoney(s.netCents, s.currency)}
                </Text>
                <Text size="xs" c="dimmed">
                  charged {formatMoney(s.chargedCents, s.currency)}, refunded {formatMoney(-s.refundedCents, s.currency)}, adjusted {formatMoney(s.adjustedCents, s.currency)}
                </Text>
              </div>
            ))
          )}
        </Card>
        <Card withBorder>
          <Text size="sm" c="dimmed" mb="xs">
            Tasks per week, last 12 weeks
          </Text>
          <BarChartFigure
            label="Tasks submitted, returned on time and returned late per week"
            data={weeks}
            dataKey="week"
            series={[
              { name: 'submitted', label: 'Submitted', color: 'blue.6' },
              { name: 'onTime', label: 'On time', color: 'teal.6' },
              { name: 'late', label: 'Late', color: 'orange.6' },
            ]}
            valueFormatter={(v) => String(v)}
            xAxisLabel="Week of"
            yAxisLabel="Tasks"
            xTickFormatter={weekTick}
            counts
            h={220}
          />
        </Card>
      </SimpleGrid>
      {spendCurrency && (
        <Card withBorder>
          <Text size="sm" c="dimmed" mb="xs">
            Spend per week ({spendCurrency})
          </Text>
          <BarChartFigure
            label={`Spend per week in ${spendCurrency}`}
            data={weeks}
            dataKey="week"
            series={[{ name: 'spend', label: 'Spend', color: 'grape.6' }]}
            valueFormatter={(v) => formatMoney(Math.round(v * 100), spendCurrency)}
            xAxisLabel="Week of"
            yAxisLabel={spendCurrency}
            xTickFormatter={weekTick}
            h={180}
          />
        </Card>
      )}
    </Stack>
  );
}

function StatRow({ label, stats }: { label: string; stats: ProcessStats }) {
  const cards: [string, string, string?][] = [
    ['Tasks', String(stats.tasks)],
    ['On time', percent(stats.onTimeRate), `${stats.returnedOnTime} of ${stats.returned} returned`],
    ['Turnaround to return', duration(stats.avgSecondsToReturn)],
    ['Turnaround to acceptance', duration(stats.avgSecondsToAccept)],
    ['First-pass acceptance', percent(stats.firstPassRate), `${stats.acceptedFirstPass} of ${stats.accepted} accepted`],
  ];
  return (
    <div>
      <Title order={2} size="h5" mb="xs">
        {label}
      </Title>
      <SimpleGrid cols={{ base: 2, md: 5 }} spacing="md" role="list" aria-label={`Figures, ${label.toLowerCase()}`}>
        {cards.map(([name, value, hint]) => (
          <Card key={name} withBorder role="listitem">
            <Text size="sm" c="dimmed">
              {name}
            </Text>
            <Text size="xl" fw={700}>
              {value}
            </Text>
            {hint && (
              <Text size="xs" c="dimmed">
                {hint}
              </Text>
            )}
          </Card>
        ))}
      </SimpleGrid>
    </div>
  );
}

function RunsTable({ runs }: { runs: TemplateRun[] }) {
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table aria-label="Runs of this template" verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Task</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Submitted</Table.Th>
            <Table.Th>Deadline</Table.Th>
            <Table.Th>Returned</Table.Th>
            <Table.Th>Price</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((r) => (
            <Table.Tr key={r.id} data-testid={`run-row-${r.id}`}>
              <Table.Td>
                <Anchor component={Link} to={`/client/tasks/${r.id}`}>
                  {r.title}
                </Anchor>{' '}
                <Text span size="xs" c="dimmed">
                  v{r.templateVersion}
                </Text>
              </Table.Td>
              <Table.Td>
                <StatusBadge status={r.status} />
              </Table.Td>
              <Table.Td>{formatDateTime(r.submittedAt)}</Table.Td>
              <Table.Td>{formatDateTime(r.deadline)}</Table.Td>
              <Table.Td>
                {formatDateTime(r.returnedAt)}{' '}
                {r.onTime !== null && (
                  <Badge variant="light" color={r.onTime ? 'teal' : 'orange'} data-testid="run-on-time">
                    {r.onTime ? 'On time' : 'Late'}
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>{formatMoney(r.priceCents, r.currency)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
