import { formatMoney, type EarningsPeriod, type LedgerEntryView } from '@handoff/contracts';
import { Card, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { billingApi, billingKeys } from '../billing/billing-api';
import { EntryTable } from '../billing/entry-table';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { QueryState } from '../components/query-state';
import { SortableHeads, useSort, type SortableHead, type SortColumns } from '../components/sortable';
import { formatMonth } from '../lib/format';

const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

function periodLabel(period: string): string {
  return period.length === 7 ? formatMonth(period) : dayFormat.format(new Date(`${period}T00:00:00Z`));
}

// Periods are YYYY-MM or YYYY-MM-DD, so their text sorts by time.
type PeriodColumn = 'period' | 'payouts' | 'earned';
const PERIOD_COLUMNS: SortColumns<EarningsPeriod, PeriodColumn> = {
  period: (p) => p.period,
  payouts: (p) => p.payouts,
  earned: (p) => p.totalCents,
};
const PERIOD_HEADS: SortableHead<PeriodColumn>[] = [
  { column: 'period', label: 'Period' },
  { column: 'payouts', label: 'Payouts', numeric: true },
  { column: 'earned', label: 'Earned', numeric: true },
];

/** The assistant's payouts: totals per month or day, and every payout. */
export function EarningsPage() {
  const [groupBy, setGroupBy] = useState<'month' | 'day'>('month');
  const earnings = useQuery({ queryKey: billingKeys.earnings(groupBy), queryFn: () => billingApi.earnings(groupBy) });
  const payouts = useInfiniteQuery({
    queryKey: billingKeys.entries('mine'),
    queryFn: ({ pageParam }) => billingApi.entries({}, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items: LedgerEntryView[] = payouts.data?.pages.flatMap((p) => p.items) ?? [];
  const data = earnings.data;
  const periods = useSort(data?.periods ?? [], PERIOD_COLUMNS);
  const th = { sort: periods.sort, onSort: periods.toggle };

  return (
    <>
      <PageHeader title="Earnings" description="Your payouts: the task price minus the platform fee, recorded when you return work on time. Periods are in UTC." />
      <QueryState isPending={earnings.isPending} error={earnings.error} onRetry={() => void earnings.refetch()}>
        {data && data.periods.length === 0 ? (
          <Card withBorder>
            <EmptyState title="No earnings yet">Return a task before its deadline and its payout is recorded here.</EmptyState>
          </Card>
        ) : (
          data && (
            <Stack gap="lg">
              <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="md" role="list" aria-label="Total earnings">
                {data.totals.map((t) => (
                  <Card withBorder key={t.currency} role="listitem" data-testid={`earnings-total-${t.currency}`}>
                    <Text size="sm" c="dimmed">
                      Earned in total
                    </Text>
                    <Text size="xl" fw={800}>
                      {formatMoney(t.totalCents, t.currency)}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {t.payouts} {t.payouts === 1 ? 'payout' : 'payouts'}
                    </Text>
                  </Card>
                ))}
              </SimpleGrid>
              <Card withBorder padding={0}>
                <Title order={2} size="h4" p="md" pb="xs">
                  By period
                </Title>
                <SegmentedControl
                  mx="md"
                  aria-label="Group earnings by"
                  value={groupBy}
                  onChange={(v) => setGroupBy(v as 'month' | 'day')}
                  data={[
                    { value: 'month', label: 'Month' },
                    { value: 'day', label: 'Day' },
                  ]}
                />
                <Table verticalSpacing="sm" aria-label="Earnings by period" style={{ fontVariantNumeric: 'tabular-nums' }}>
                  <Table.Thead>
                    <Table.Tr>
                      <SortableHeads heads={PERIOD_HEADS} {...th} />
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {periods.sorted.map((p) => (
                      <Table.Tr key={`${p.period}-${p.currency}`} data-testid={`period-${p.period}`}>
                        <Table.Td>{periodLabel(p.period)}</Table.Td>
                        <Table.Td ta="right">{p.payouts}</Table.Td>
                        <Table.Td ta="right" fw={600}>
                          {formatMoney(p.totalCents, p.currency)}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Card>
              <Card withBorder padding={0}>
                <Title order={2} size="h4" p="md" pb={0}>
                  Payouts
                </Title>
                <QueryState isPending={payouts.isPending} error={payouts.error} onRetry={() => void payouts.refetch()}>
                  <EntryTable
                    entries={items}
                    label="Payouts"
                    taskLinkBase="/assistant/tasks"
                    hasMore={payouts.hasNextPage}
                    loadingMore={payouts.isFetchingNextPage}
                    onLoadMore={() => void payouts.fetchNextPage()}
                  />
                </QueryState>
              </Card>
            </Stack>
          )
        )}
      </QueryState>
    </>
  );
}
