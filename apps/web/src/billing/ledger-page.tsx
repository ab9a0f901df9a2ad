import { formatMoney, type LedgerEntryView, type LedgerKind } from '@handoff/contracts';
import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { api } from '../api/endpoints';
import { isApiError } from '../api/http';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { QueryState } from '../components/query-state';
import { formatDateTime, formatMonth } from '../lib/format';
import { totalsByMonth } from './ledger';

const KIND_LABELS: Record<LedgerKind, string> = { charge: 'Charge', payout: 'Payout', refund: 'Refund', adjustment: 'Adjustment' };
const KIND_COLORS: Record<LedgerKind, string> = { charge: 'grape', payout: 'green', refund: 'orange', adjustment: 'gray' };

interface LedgerPageProps {
  title: string;
  description: string;
  totalLabel: string;
  taskLinkBase: string;
  empty: ReactNode;
}

/** The statement (client) and earnings (assistant) pages: the API already scopes the entries to the viewer. */
export function LedgerPage({ title, description, totalLabel, taskLinkBase, empty }: LedgerPageProps) {
  const query = useInfiniteQuery({
    queryKey: ['billing', 'entries', 'mine'],
    queryFn: ({ pageParam }) => api.billingEntries({ cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  // Billing may not be deployed yet; that is "nothing to show", not an error.
  const unavailable = isApiError(query.error, 404);
  const entries: LedgerEntryView[] = query.data?.pages.flatMap((p) => p.items) ?? [];
  const months = totalsByMonth(entries);

  return (
    <>
      <PageHeader title={title} description={description} />
      <QueryState isPending={query.isPending} error={unavailable ? null : query.error} onRetry={() => void query.refetch()}>
        {unavailable || entries.length === 0 ? (
          <Card withBorder>
            <EmptyState title={unavailable ? 'Nothing billed yet' : 'Nothing here yet'}>{empty}</EmptyState>
          </Card>
        ) : (
          <Stack gap="lg">
            <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="md" aria-label="Monthly totals" role="list">
              {months.map((m) => (
                <Card withBorder key={`${m.month}-${m.currency}`} role="listitem" data-testid={`month-${m.month}`}>
                  <Text size="sm" c="dimmed">
                    {formatMonth(m.month)}
                  </Text>
                  <Text size="xl" fw={700}>
                    {formatMoney(m.totalCents, m.currency)}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {totalLabel} · {m.count} {m.count === 1 ? 'entry' : 'entries'}
                  </Text>
                </Card>
              ))}
            </SimpleGrid>
            <Card withBorder padding={0}>
              <Title order={2} size="h4" p="md" pb={0}>
                Entries
              </Title>
              <Table.ScrollContainer minWidth={560}>
                <Table verticalSpacing="sm" aria-label="Ledger entries">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Date</Table.Th>
                      <Table.Th>Kind</Table.Th>
                      <Table.Th>Task</Table.Th>
                      <Table.Th ta="right">Amount</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {entries.map((e) => (
                      <Table.Tr key={e.id} data-testid={`entry-row-${e.id}`}>
                        <Table.Td>{formatDateTime(e.createdAt)}</Table.Td>
                        <Table.Td>
                          <Group gap={6}>
                            <Badge variant="light" color={KIND_COLORS[e.kind]}>
                              {KIND_LABELS[e.kind]}
                            </Badge>
                            {e.reason && (
                              <Text size="xs" c="dimmed">
                                {e.reason}
                              </Text>
                            )}
                          </Group>
                        </Table.Td>
                        <Table.Td>
                          <Anchor component={Link} to={`${taskLinkBase}/${e.taskId}`} size="sm">
                            View task
                          </Anchor>
                        </Table.Td>
                        <Table.Td ta="right" fw={600}>
                          {formatMoney(e.amountCents, e.currency)}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Card>
          </Stack>
        )}
      </QueryState>
    </>
  );
}
