import { formatMoney, type LedgerEntryView } from '@handoff/contracts';
import { Anchor, Badge, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { formatDateTime } from '../lib/format';
import { KIND_COLORS, KIND_LABELS } from './kinds';
import { LoadMore } from '../components/load-more';

interface EntryTableProps {
  entries: LedgerEntryView[];
  label: string;
  taskLinkBase: string;
  /** Names for the organization column (admin); the column is left out without it. */
  organizationNames?: Map<string, string>;
  hasMore?: boolean;
  loadingMore?: boolean;
  onLoadMore?: () => void;
}

/** Refunds reduce what is owed, so they read as negative; every other kind is shown as recorded. */
export function signedAmount(e: LedgerEntryView): number {
  return e.kind === 'refund' ? -e.amountCents : e.amountCents;
}

export function EntryTable({ entries, label, taskLinkBase, organizationNames, hasMore, loadingMore, onLoadMore }: EntryTableProps) {
  return (
    <>
      <Table.ScrollContainer minWidth={640} type="native">
        <Table verticalSpacing="sm" aria-label={label}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Date</Table.Th>
              <Table.Th>Kind</Table.Th>
              {organizationNames && <Table.Th>Organization</Table.Th>}
              <Table.Th>Task</Table.Th>
              <Table.Th>Reason</Table.Th>
              <Table.Th ta="right">Amount</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {entries.map((e) => (
              <Table.Tr key={e.id} data-testid={`entry-row-${e.id}`}>
                <Table.Td>{formatDateTime(e.createdAt)}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={KIND_COLORS[e.kind]}>
                    {KIND_LABELS[e.kind]}
                  </Badge>
                </Table.Td>
                {organizationNames && <Table.Td>{organizationNames.get(e.organizationId) ?? e.organizationId.slice(0, 8)}</Table.Td>}
                <Table.Td>
                  <Anchor component={Link} to={`${taskLinkBase}/${e.taskId}`} size="sm" aria-label={`Task ${e.taskTitle}`}>
                    {e.taskTitle}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c={e.reason ? undefined : 'dimmed'}>
                    {e.reason ?? '—'}
                  </Text>
                </Table.Td>
                <Table.Td ta="right" fw={600} style={{ fontVariantNumeric: 'tabular-nums' }}>
                  {formatMoney(signedAmount(e), e.currency)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={hasMore} loading={loadingMore} onLoadMore={onLoadMore} />
    </>
  );
}
