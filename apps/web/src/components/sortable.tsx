import { Table, Text, Tooltip, UnstyledButton, type TableThProps } from '@mantine/core';
import { IconChevronDown, IconChevronUp, IconSelector } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';

export type SortDirection = 'ascending' | 'descending';
export interface SortState<K extends string> {
  key: K;
  direction: SortDirection;
}
export type SortValue = string | number | null | undefined;
/** How each sortable column reads its row. */
export type SortColumns<T, K extends string> = Record<K, (row: T) => SortValue>;

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** A stable sort; rows without a value go last whichever the direction. */
export function sortRows<T>(rows: readonly T[], value: (row: T) => SortValue, direction: SortDirection): T[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return sign * (typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y)));
  });
}

/**
 * Rows sorted by the column a person picked: ascending, then descending, then back to the order
 * the rows came in (the server's, e.g. newest first).
 */
export function useSort<T, K extends string>(rows: readonly T[], columns: SortColumns<T, K>) {
  const [sort, setSort] = useState<SortState<K> | null>(null);
  const toggle = (key: K) =>
    setSort((s) => (s?.key !== key ? { key, direction: 'ascending' } : s.direction === 'ascending' ? { key, direction: 'descending' } : null));
  const sorted = sort ? sortRows(rows, columns[sort.key], sort.direction) : [...rows];
  return { sorted, sort, toggle };
}

interface SortableThProps<K extends string> extends Omit<TableThProps, 'children'> {
  column: K;
  sort: SortState<K> | null;
  onSort: (key: K) => void;
  children: ReactNode;
  /** Said on hover and focus, e.g. that only the loaded rows are sorted. */
  hint?: string;
}

/** A column header that sorts: a real button for keyboards, aria-sort on the header for screen readers. */
export function SortableTh<K extends string>({ column, sort, onSort, children, hint, ...th }: SortableThProps<K>) {
  const direction = sort?.key === column ? sort.direction : undefined;
  const Icon = direction === 'ascending' ? IconChevronUp : direction === 'descending' ? IconChevronDown : IconSelector;
  const button = (
    <UnstyledButton
      onClick={() => onSort(column)}
      style={{ display: 'inline-flex', alignItems: 'center', gap: 4, font: 'inherit', fontWeight: 'inherit', color: 'inherit', whiteSpace: 'nowrap' }}
      data-testid={`sort-${column}`}
    >
      {children}
      <Icon size={14} stroke={1.75} aria-hidden style={{ opacity: direction ? 1 : 0.45 }} />
    </UnstyledButton>
  );
  return (
    <Table.Th {...th} aria-sort={direction}>
      {hint ? (
        <Tooltip label={hint} events={{ hover: true, focus: true, touch: false }} multiline maw={260} withArrow>
          {button}
        </Tooltip>
      ) : (
        button
      )}
    </Table.Th>
  );
}

/** A sortable column as a header shows it: its key, its label, and numbers set right. */
export interface SortableHead<K extends string> {
  column: K;
  label: ReactNode;
  numeric?: boolean;
  hint?: string;
}

/** One header cell per column, in order; fixed cells (actions) go beside them in the same row. */
export function SortableHeads<K extends string>({ heads, sort, onSort }: { heads: readonly SortableHead<K>[]; sort: SortState<K> | null; onSort: (key: K) => void }) {
  return heads.map((h) => (
    <SortableTh key={h.column} column={h.column} sort={sort} onSort={onSort} hint={h.hint} ta={h.numeric ? 'right' : undefined}>
      {h.label}
    </SortableTh>
  ));
}

/** Sorting a paged list reorders only what has loaded; say so rather than pretend otherwise. */
export function loadedOnlyHint(count: number, noun: string): string {
  return `Sorts the ${count} ${noun} loaded so far; load more to include the rest.`;
}

/** Shown under a sorted, partly loaded list. */
export function PartialSortNote({ active, count, noun }: { active: boolean; count: number; noun: string }) {
  if (!active) return null;
  return (
    <Text size="xs" c="dimmed" px="md" py="xs" role="status">
      Sorted within the {count} {noun} loaded so far. Load more to include the rest.
    </Text>
  );
}
