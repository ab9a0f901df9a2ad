import { CATEGORY_LABELS, formatMoney, PRIORITIES, priceFor, rateCardBody, type RateCardEntry } from '@handoff/contracts';
import { Button, Card, Group, NumberInput, Table, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { errorMessage } from '../api/http';
import { qk } from '../api/query-keys';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { QueryState } from '../components/query-state';
import { SortableTh, useSort, type SortColumns } from '../components/sortable';
import { contractResolver, focusFirstError, showServerFieldError } from '../forms/contract-form';
import { formatDateTime } from '../lib/format';
import { PRIORITY_LABELS } from '../lib/task-display';

/** Dollars typed by a person to integer cents, without float drift (12.35 → 1235). */
export function toCents(value: number | string): number | null {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n <= 0) return null;
  return Math.round(n * 100);
}

const COLUMNS: SortColumns<RateCardEntry, 'category' | 'price'> = {
  category: (r) => CATEGORY_LABELS[r.category],
  price: (r) => r.basePriceCents,
};

export function RateCardPage() {
  const rates = useQuery({ queryKey: qk.rateCard, queryFn: api.rateCard });
  const { sorted, sort, toggle } = useSort(rates.data ?? [], COLUMNS);
  return (
    <>
      <PageHeader
        title="Rate card"
        description="Base price per category. A task's price is the base times its priority multiplier, fixed when it is submitted; changes apply to new tasks only."
      />
      <Card withBorder padding={0}>
        <QueryState isPending={rates.isPending} error={rates.error} onRetry={() => void rates.refetch()}>
          {(rates.data ?? []).length === 0 ? (
            <EmptyState title="No rates yet">The rate card is seeded when the API starts. Restart it if this stays empty.</EmptyState>
          ) : (
            <Table.ScrollContainer minWidth={760} type="native">
              <Table verticalSpacing="sm" aria-label="Rate card">
                <Table.Thead>
                  <Table.Tr>
                    <SortableTh column="category" sort={sort} onSort={toggle}>
                      Category
                    </SortableTh>
                    <SortableTh column="price" sort={sort} onSort={toggle}>
                      Base price
                    </SortableTh>
                    <Table.Th>By priority</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {sorted.map((r) => (
                    <RateRow key={r.category} rate={r} />
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

function RateRow({ rate }: { rate: RateCardEntry }) {
  const client = useQueryClient();
  const label = CATEGORY_LABELS[rate.category];
  const form = useForm<{ price: number | string }>({
    initialValues: { price: rate.basePriceCents / 100 },
    validate: contractResolver(rateCardBody, {
      toBody: (v) => ({ basePriceCents: v.price === '' ? undefined : Math.round(Number(v.price) * 100) }),
      fields: { basePriceCents: 'price' },
      required: { price: 'Enter a price' },
    }),
  });
  const cents = toCents(form.values.price);
  const changed = cents !== rate.basePriceCents;

  const save = useMutation({
    mutationFn: (basePriceCents: number) => api.setRate(rate.category, basePriceCents),
    onSuccess: (saved) => {
      client.setQueryData<RateCardEntry[]>(qk.rateCard, (list) => list?.map((r) => (r.category === rate.category ? { ...r, ...saved } : r)));
      void client.invalidateQueries({ queryKey: qk.rateCard });
      void client.invalidateQueries({ queryKey: ['quote'] });
      notifications.show({ message: `${label} now starts at ${formatMoney(saved.basePriceCents, saved.currency)}.`, color: 'green' });
    },
    onError: (e) => {
      if (!showServerFieldError(form, e, ['price'], { basePriceCents: 'price' })) notifications.show({ title: `Could not save ${label}`, message: errorMessage(e), color: 'red' });
    },
  });

  const preview = cents ?? rate.basePriceCents;
  return (
    <Table.Tr data-testid={`rate-row-${rate.category}`}>
      <Table.Td>
        <Text fw={600} size="sm">
          {label}
        </Text>
        {rate.updatedAt && (
          <Text size="xs" c="dimmed">
            Updated {formatDateTime(rate.updatedAt)}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <form noValidate onSubmit={form.onSubmit((v) => save.mutate(Math.round(Number(v.price) * 100)), focusFirstError)}>
          <Group gap="xs" wrap="nowrap" align="flex-start">
            <NumberInput
              aria-label={`Base price for ${label}`}
              prefix={rate.currency === 'USD' ? '$' : `${rate.currency} `}
              decimalScale={2}
              fixedDecimalScale
              min={0.01}
              step={0.5}
              thousandSeparator=","
              {...form.getInputProps('price')}
              w={140}
            />
            <Button type="submit" size="xs" disabled={!changed} loading={save.isPending}>
              Save
            </Button>
          </Group>
        </form>
      </Table.Td>
      <Table.Td>
        <Group gap="md" wrap="nowrap">
          {PRIORITIES.map((p) => (
            <Text key={p} size="xs" c="dimmed">
              {PRIORITY_LABELS[p]} <b>{formatMoney(priceFor(preview, p), rate.currency)}</b>
            </Text>
          ))}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}
