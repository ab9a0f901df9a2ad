import { adjustmentRequest, formatMoney, LEDGER_KINDS, type BillingSummary, type BillingSummaryRow, type LedgerEntryView, type LedgerKind } from '@handoff/contracts';
import { Alert, Button, Card, Group, NativeSelect, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconDownload } from '@tabler/icons-react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useRef, useState } from 'react';
import { api } from '../api/endpoints';
import { ApiError, errorMessage, isApiError, newIdempotencyKey } from '../api/http';
import { billingApi, billingKeys, currentMonth, downloadExport, monthPeriod, recentMonths, type EntryFilters } from '../billing/billing-api';
import { DayChart } from '../billing/day-chart';
import { EntryTable } from '../billing/entry-table';
import { KIND_LABELS } from '../billing/kinds';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { QueryState } from '../components/query-state';
import { SortableTh, useSort, type SortColumns } from '../components/sortable';
import { contractResolver, focusFirstError, formLevelError, serverFieldError, showServerFieldError } from '../forms/contract-form';
import { formatMonth } from '../lib/format';

// Late returns do not announce a billing event; a slow poll keeps the "late" column honest.
const SUMMARY_REFRESH_MS = 30_000;

export function AdminBillingPage() {
  const [month, setMonth] = useState(currentMonth());
  const [filters, setFilters] = useState<Pick<EntryFilters, 'organizationId' | 'assistantId' | 'kind'>>({});
  const [exporting, setExporting] = useState(false);
  const period = monthPeriod(month);
  const entryFilters: EntryFilters = { ...filters, ...period };

  const summary = useQuery({
    queryKey: billingKeys.summary(period.from, period.to),
    queryFn: () => billingApi.summary(period.from, period.to),
    refetchInterval: SUMMARY_REFRESH_MS,
  });
  const organizationNames = useMemo(
    () => new Map((summary.data?.organizations ?? []).map((o) => [o.organizationId, o.organizationName])),
    [summary.data],
  );

  const onExport = async () => {
    setExporting(true);
    try {
      const name = await downloadExport(entryFilters);
      notifications.show({ message: `Downloading ${name}.`, color: 'green' });
    } catch (e) {
      notifications.show({ title: 'Export failed', message: errorMessage(e), color: 'red' });
    } finally {
      setExporting(false);
    }
  };

  return (
    <>
      <PageHeader
        title="Billing"
        description="Charges, payouts and platform fees per organization. Periods are calendar months in UTC."
        actions={
          <>
            <NativeSelect
              label="Period"
              value={month}
              onChange={(e) => setMonth(e.currentTarget.value)}
              data={recentMonths(12).map((m) => ({ value: m, label: formatMonth(m) }))}
            />
            <Button leftSection={<IconDownload size={16} aria-hidden />} onClick={() => void onExport()} loading={exporting} mt={24}>
              Export CSV
            </Button>
          </>
        }
      />
      <Stack gap="lg">
        <Card withBorder padding={0}>
          <Title order={2} size="h4" p="md" pb={0}>
            Summary
          </Title>
          <QueryState isPending={summary.isPending} error={summary.error} onRetry={() => void summary.refetch()}>
            {summary.data && <SummaryTable summary={summary.data} />}
          </QueryState>
        </Card>

        <Card withBorder>
          <Title order={2} size="h4" mb="sm">
            Charged vs paid out per day
          </Title>
          {summary.data && summary.data.days.length > 0 ? (
            [...new Set(summary.data.days.map((d) => d.currency))].map((c) => <DayChart key={c} days={summary.data.days} currency={c} />)
          ) : (
            <Text c="dimmed" size="sm">
              Nothing charged in {formatMonth(month)}.
            </Text>
          )}
        </Card>

        <EntriesCard filters={entryFilters} onFilters={setFilters} organizationNames={organizationNames} organizations={summary.data?.organizations ?? []} />

        <AdjustmentForm />
      </Stack>
    </>
  );
}

type SummaryColumn = 'organization' | 'tasks' | 'charged' | 'paid' | 'fee' | 'refunds' | 'adjustments' | 'late';
const SUMMARY_COLUMNS: SortColumns<BillingSummaryRow, SummaryColumn> = {
  organization: (o) => o.organizationName,
  tasks: (o) => o.tasksBilled,
  charged: (o) => o.chargedCents,
  paid: (o) => o.paidOutCents,
  fee: (o) => o.feeCents,
  refunds: (o) => o.refundedCents,
  adjustments: (o) => o.adjustedCents,
  late: (o) => o.lateTasks,
};

function SummaryTable({ summary }: { summary: BillingSummary }) {
  const { sorted, sort, toggle } = useSort(summary.organizations, SUMMARY_COLUMNS);
  if (summary.organizations.length === 0) {
    return <EmptyState title="Nothing billed in this period">Charges are recorded when work comes back on time.</EmptyState>;
  }
  const money = (cents: number, currency: string) => formatMoney(cents, currency);
  return (
    // Eight columns scroll sideways on a phone; the region takes keyboard focus so it can be scrolled without a pointer.
    <Table.ScrollContainer minWidth={900} type="native" tabIndex={0} role="region" aria-label="Billing summary, scrolls sideways">
      <Table verticalSpacing="sm" aria-label="Billing summary by organization" style={{ fontVariantNumeric: 'tabular-nums' }}>
        <Table.Thead>
          <Table.Tr>
            <SortableTh column="organization" sort={sort} onSort={toggle}>
              Organization
            </SortableTh>
            {(
              [
                ['tasks', 'Tasks billed'],
                ['charged', 'Charged'],
                ['paid', 'Paid out'],
                ['fee', 'Platform fee'],
                ['refunds', 'Refunds'],
                ['adjustments', 'Adjustments'],
                ['late', 'Late, not billed'],
              ] as const
            ).map(([column, label]) => (
              <SortableTh key={column} column={column} sort={sort} onSort={toggle} ta="right">
                {label}
              </SortableTh>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sorted.map((o) => (
            <Table.Tr key={`${o.organizationId}-${o.currency}`} data-testid={`summary-row-${o.organizationId}`}>
              <Table.Td>{o.organizationName}</Table.Td>
              <Table.Td ta="right">{o.tasksBilled}</Table.Td>
              <Table.Td ta="right">{money(o.chargedCents, o.currency)}</Table.Td>
              <Table.Td ta="right">{money(o.paidOutCents, o.currency)}</Table.Td>
              <Table.Td ta="right">{money(o.feeCents, o.currency)}</Table.Td>
              <Table.Td ta="right">{money(o.refundedCents, o.currency)}</Table.Td>
              <Table.Td ta="right">{money(o.adjustedCents, o.currency)}</Table.Td>
              <Table.Td ta="right">{o.lateTasks}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
        <Table.Tfoot>
          {summary.totals.map((t) => (
            <Table.Tr key={t.currency} data-testid={`summary-total-${t.currency}`} fw={700}>
              <Table.Th scope="row">Total{summary.totals.length > 1 ? ` (${t.currency})` : ''}</Table.Th>
              <Table.Td ta="right">{t.tasksBilled}</Table.Td>
              <Table.Td ta="right">{money(t.chargedCents, t.currency)}</Table.Td>
              <Table.Td ta="right">{money(t.paidOutCents, t.currency)}</Table.Td>
              <Table.Td ta="right">{money(t.feeCents, t.currency)}</Table.Td>
              <Table.Td ta="right">{money(t.refundedCents, t.currency)}</Table.Td>
              <Table.Td ta="right">{money(t.adjustedCents, t.currency)}</Table.Td>
              <Table.Td ta="right">{t.lateTasks}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tfoot>
      </Table>
    </Table.ScrollContainer>
  );
}

interface EntriesCardProps {
  filters: EntryFilters;
  onFilters: (f: Pick<EntryFilters, 'organizationId' | 'assistantId' | 'kind'>) => void;
  organizationNames: Map<string, string>;
  organizations: BillingSummary['organizations'];
}

function EntriesCard({ filters, onFilters, organizationNames, organizations }: EntriesCardProps) {
  const assistants = useQuery({ queryKey: ['billing', 'assistants'], queryFn: () => api.listUsers('assistant'), staleTime: 60_000 });
  const entries = useInfiniteQuery({
    queryKey: billingKeys.entries(filters),
    queryFn: ({ pageParam }) => billingApi.entries(filters, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items: LedgerEntryView[] = entries.data?.pages.flatMap((p) => p.items) ?? [];
  const pick = { organizationId: filters.organizationId, assistantId: filters.assistantId, kind: filters.kind };

  return (
    <Card withBorder padding={0}>
      <Title order={2} size="h4" p="md" pb={0}>
        Entries
      </Title>
      <Group gap="sm" p="md" wrap="wrap" role="group" aria-label="Entry filters">
        <NativeSelect
          label="Organization"
          style={{ flex: '1 1 200px' }}
          value={filters.organizationId ?? ''}
          onChange={(e) => onFilters({ ...pick, organizationId: e.currentTarget.value || undefined })}
          data={[{ value: '', label: 'All organizations' }, ...organizations.map((o) => ({ value: o.organizationId, label: o.organizationName }))]}
        />
        <NativeSelect
          label="Assistant"
          style={{ flex: '1 1 200px' }}
          value={filters.assistantId ?? ''}
          onChange={(e) => onFilters({ ...pick, assistantId: e.currentTarget.value || undefined })}
          data={[{ value: '', label: 'All assistants' }, ...(assistants.data?.items ?? []).map((u) => ({ value: u.id, label: u.name }))]}
        />
        <NativeSelect
          label="Kind"
          style={{ flex: '1 1 160px' }}
          value={filters.kind ?? ''}
          onChange={(e) => onFilters({ ...pick, kind: (e.currentTarget.value as LedgerKind) || undefined })}
          data={[{ value: '', label: 'All kinds' }, ...LEDGER_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))]}
        />
      </Group>
      <QueryState isPending={entries.isPending} error={entries.error} onRetry={() => void entries.refetch()}>
        {items.length === 0 ? (
          <EmptyState title="No entries">No ledger entries match these filters in this period.</EmptyState>
        ) : (
          <EntryTable
            entries={items}
            label="Ledger entries"
            taskLinkBase="/admin/tasks"
            organizationNames={organizationNames}
            hasMore={entries.hasNextPage}
            loadingMore={entries.isFetchingNextPage}
            onLoadMore={() => void entries.fetchNextPage()}
          />
        )}
      </QueryState>
    </Card>
  );
}

const FIELDS = ['taskId', 'kind', 'amountCents', 'reason'] as const;

/** The API names the field first ("amountCents must be …"); put such a message under that field. */
export function fieldOf(message: string): (typeof FIELDS)[number] | null {
  const found = serverFieldError(new ApiError(400, { message }, message), FIELDS);
  return found ? (found.field as (typeof FIELDS)[number]) : null;
}

interface AdjustmentValues {
  taskId: string;
  kind: 'refund' | 'adjustment';
  amountCents: string;
  reason: string;
}

const adjustmentFromValues = (v: AdjustmentValues) => {
  const amount = v.amountCents.trim();
  return { taskId: v.taskId.trim(), kind: v.kind, amountCents: amount === '' ? undefined : Number(amount), reason: v.reason };
};

export function AdjustmentForm() {
  const client = useQueryClient();
  const form = useForm<AdjustmentValues>({
    initialValues: { taskId: '', kind: 'refund', amountCents: '', reason: '' },
    validate: contractResolver(adjustmentRequest, {
      toBody: adjustmentFromValues,
      required: { taskId: 'Required', amountCents: 'Required', reason: 'Required' },
    }),
  });
  // One key per intended correction: a double click or a retry after a timeout records it once.
  const key = useRef(newIdempotencyKey());

  const record = useMutation({
    mutationFn: (body: Parameters<typeof billingApi.adjust>[0]) => billingApi.adjust(body, key.current),
    onSuccess: (entry) => {
      key.current = newIdempotencyKey();
      void client.invalidateQueries({ queryKey: billingKeys.all });
      notifications.show({ message: `${KIND_LABELS[entry.kind]} of ${formatMoney(entry.amountCents, entry.currency)} recorded.`, color: 'green' });
      form.setValues({ amountCents: '', reason: '' });
    },
    onError: (e) => {
      // A refusal is final for this input; the corrected form is a new request.
      if (isApiError(e) && e.status < 500) key.current = newIdempotencyKey();
      showServerFieldError(form, e, FIELDS);
    },
  });
  const unplaced = formLevelError(record.error, FIELDS);
  const formError = unplaced ? errorMessage(unplaced) : null;
  const onSubmit = form.onSubmit((v) => record.mutate(adjustmentRequest.parse(adjustmentFromValues(v))), focusFirstError);
  const amount = form.values.amountCents;

  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">
        Refund or adjust
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        A refund gives back part or all of a task&apos;s charge. An adjustment adds to (positive) or credits (negative) the organization&apos;s bill. Both need a
        reason and are recorded under your name; entries are never edited.
      </Text>
      <form onSubmit={onSubmit} noValidate aria-label="Record a refund or adjustment">
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <TextInput label="Task ID" {...form.getInputProps('taskId')} required autoComplete="off" />
          <NativeSelect
            label="Kind"
            {...form.getInputProps('kind')}
            data={[
              { value: 'refund', label: 'Refund' },
              { value: 'adjustment', label: 'Adjustment' },
            ]}
          />
          <TextInput
            label="Amount (cents)"
            inputMode="numeric"
            {...form.getInputProps('amountCents')}
            description={/^-?\d+$/.test(amount.trim()) ? formatMoney(Number(amount.trim()), 'USD') : 'Whole cents, e.g. 1250 for $12.50'}
            required
          />
        </SimpleGrid>
        <Textarea label="Reason" mt="sm" {...form.getInputProps('reason')} required rows={3} maxLength={1000} />
        {formError && (
          <Alert color="red" mt="sm" role="alert">
            {formError}
          </Alert>
        )}
        <Group justify="flex-end" mt="md">
          <Button type="submit" loading={record.isPending}>
            Record
          </Button>
        </Group>
      </form>
    </Card>
  );
}
