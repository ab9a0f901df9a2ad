import { formatMoney, type LedgerEntryView } from '@handoff/contracts';
import { Anchor, Badge, Box, Group, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { formatDateTime } from '../lib/format';
import { KIND_COLORS, KIND_LABELS } from './kinds';
import { LoadMore } from '../components/load-more';
import { loadedOnlyHint, PartialSortNote, SortableTh, useSort, type SortColumns } from '../components/sortable';
import { useFitsWidth } from '../lib/use-fits';

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

/** Narrower than this, each entry becomes a stacked row instead of a table row. */
const TABLE_MIN_WIDTH = 640;

type EntryColumn = 'date' | 'kind' | 'organization' | 'task' | 'reason' | 'amount';

export function EntryTable({ entries: loaded, label, taskLinkBase, organizationNames, hasMore, loadingMore, onLoadMore }: EntryTableProps) {
  const { ref, fits } = useFitsWidth(TABLE_MIN_WIDTH);
  const columns: SortColumns<LedgerEntryView, EntryColumn> = {
    date: (e) => Date.parse(e.createdAt),
    kind: (e) => KIND_LABELS[e.kind],
    organization: (e) => organizationNames?.get(e.organizationId) ?? e.organizationId,
    task: (e) => e.taskTitle,
    reason: (e) => e.reason,
    amount: signedAmount,
  };
  const { sorted: entries, sort, toggle } = useSort(loaded, columns);
  const th = { sort, onSort: toggle, hint: hasMore ? loadedOnlyHint(loaded.length, 'entries') : undefined };
  return (
    <div ref={ref}>
      {fits ? (
        <Table.ScrollContainer minWidth={TABLE_MIN_WIDTH} type="native">
          <Table verticalSpacing="sm" aria-label={label}>
            <Table.Thead>
              <Table.Tr>
                <SortableTh column="date" {...th}>
                  Date
                </SortableTh>
                <SortableTh column="kind" {...th}>
                  Kind
                </SortableTh>
                {organizationNames && (
                  <SortableTh column="organization" {...th}>
                    Organization
                  </SortableTh>
                )}
                <SortableTh column="task" {...th}>
                  Task
                </SortableTh>
                <SortableTh column="reason" {...th}>
                  Reason
                </SortableTh>
                <SortableTh column="amount" ta="right" {...th}>
                  Amount
                </SortableTh>
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
      ) : (
        <EntryList entries={entries} label={label} taskLinkBase={taskLinkBase} organizationNames={organizationNames} />
      )}
      <PartialSortNote active={!!sort && !!hasMore} count={loaded.length} noun="entries" />
      <LoadMore hasMore={hasMore} loading={loadingMore} onLoadMore={onLoadMore} />
    </div>
  );
}

/** One block per entry on a phone: kind and amount, then the task and organization, then date and reason. */
function EntryList({ entries, label, taskLinkBase, organizationNames }: Pick<EntryTableProps, 'entries' | 'label' | 'taskLinkBase' | 'organizationNames'>) {
  return (
    <Box component="ul" aria-label={label} m={0} p={0} style={{ listStyle: 'none' }}>
      {entries.map((e, i) => (
        <Box
          component="li"
          key={e.id}
          data-testid={`entry-row-${e.id}`}
          px="md"
          py="sm"
          style={i > 0 ? { borderTop: '1px solid var(--mantine-color-default-border)' } : undefined}
        >
          <Group justify="space-between" wrap="nowrap" gap="sm">
            <Badge variant="light" color={KIND_COLORS[e.kind]}>
              {KIND_LABELS[e.kind]}
            </Badge>
            <Text fw={600} style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
              {formatMoney(signedAmount(e), e.currency)}
            </Text>
          </Group>
          <Text size="sm" mt={4}>
            <Anchor component={Link} to={`${taskLinkBase}/${e.taskId}`} size="sm" aria-label={`Task ${e.taskTitle}`}>
              {e.taskTitle}
            </Anchor>
            {organizationNames && ` · ${organizationNames.get(e.organizationId) ?? e.organizationId.slice(0, 8)}`}
          </Text>
          <Text size="xs" c="dimmed" mt={2} style={{ overflowWrap: 'anywhere' }}>
            {formatDateTime(e.createdAt)}
            {e.reason && ` · ${e.reason}`}
          </Text>
        </Box>
      ))}
    </Box>
  );
}
