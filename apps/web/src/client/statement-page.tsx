import { formatMoney } from '@handoff/contracts';
import { Button, Card, Group, NativeSelect, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDownload } from '@tabler/icons-react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../api/http';
import { billingApi, billingKeys, currentMonth, downloadStatement, recentMonths } from '../billing/billing-api';
import { EntryTable } from '../billing/entry-table';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { QueryState } from '../components/query-state';
import { formatMonth } from '../lib/format';

/** The organization's monthly statement: what was charged, what came back, what is owed. */
export function StatementPage() {
  const [month, setMonth] = useState(currentMonth());
  // Totals cover the whole month on every page; the lines come a page at a time.
  const statement = useInfiniteQuery({
    queryKey: billingKeys.statement(month),
    queryFn: ({ pageParam }) => billingApi.statement(month, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const [downloading, setDownloading] = useState<'csv' | 'pdf' | null>(null);
  const download = async (format: 'csv' | 'pdf') => {
    setDownloading(format);
    try {
      const name = await downloadStatement(month, format);
      notifications.show({ message: `Downloading ${name}.`, color: 'green' });
    } catch (e) {
      notifications.show({ title: 'Download failed', message: errorMessage(e), color: 'red' });
    } finally {
      setDownloading(null);
    }
  };
  const pages = statement.data?.pages;
  const data = pages?.[0] && { ...pages[0], lines: pages.flatMap((p) => p.lines) };

  return (
    <>
      <PageHeader
        title="Statement"
        description="What your organization was charged, per task and per month (UTC). You pay only for work that came back on time."
        actions={
          <Group align="end">
            <NativeSelect label="Month" value={month} onChange={(e) => setMonth(e.currentTarget.value)} data={recentMonths(12).map((m) => ({ value: m, label: formatMonth(m) }))} />
            <Button variant="default" leftSection={<IconDownload size={16} />} loading={downloading === 'csv'} onClick={() => void download('csv')}>
              Download CSV
            </Button>
            <Button variant="default" leftSection={<IconDownload size={16} />} loading={downloading === 'pdf'} onClick={() => void download('pdf')}>
              Download PDF
            </Button>
          </Group>
        }
      />
      <QueryState isPending={statement.isPending} error={statement.error} onRetry={() => void statement.refetch()}>
        {data && data.lines.length === 0 ? (
          <Card withBorder>
            <EmptyState title={`Nothing billed in ${formatMonth(month)}`}>
              You are charged when a task comes back on time. Charges will appear here as your tasks are returned.
            </EmptyState>
          </Card>
        ) : (
          data && (
            <Stack gap="lg">
              {data.totals.map((t) => (
                <SimpleGrid key={t.currency} cols={{ base: 2, md: 4 }} spacing="md" role="list" aria-label={`Totals for ${formatMonth(month)}`}>
                  <Figure label="Charged" value={formatMoney(t.chargedCents, t.currency)} hint={`${t.tasksBilled} ${t.tasksBilled === 1 ? 'task' : 'tasks'}`} />
                  <Figure label="Refunded" value={formatMoney(-t.refundedCents, t.currency)} />
                  <Figure label="Adjustments" value={formatMoney(t.adjustedCents, t.currency)} />
                  <Figure label="Total" value={formatMoney(t.totalCents, t.currency)} strong testId={`statement-total-${t.currency}`} />
                </SimpleGrid>
              ))}
              <Card withBorder padding={0}>
                <Title order={2} size="h4" p="md" pb={0}>
                  Lines
                </Title>
                <EntryTable
                  entries={data.lines}
                  label={`Statement lines for ${formatMonth(month)}`}
                  taskLinkBase="/client/tasks"
                  hasMore={statement.hasNextPage}
                  loadingMore={statement.isFetchingNextPage}
                  onLoadMore={() => void statement.fetchNextPage()}
                />
              </Card>
            </Stack>
          )
        )}
      </QueryState>
    </>
  );
}

function Figure({ label, value, hint, strong, testId }: { label: string; value: string; hint?: string; strong?: boolean; testId?: string }) {
  return (
    <Card withBorder role="listitem" data-testid={testId}>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Group gap={6} align="baseline">
        <Text size="xl" fw={strong ? 800 : 600}>
          {value}
        </Text>
      </Group>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Card>
  );
}
