import type { RateCardEntry } from '@handoff/contracts';
import { fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateCardPage } from '../admin/rate-card-page';
import { EntryTable } from '../billing/entry-table';
import { ORG } from '../test/fixtures';
import { renderWithProviders } from '../test/render';
import { serve } from '../test/serve';
import { sortRows } from './sortable';

vi.mock('@mantine/notifications', () => ({ notifications: { show: vi.fn() } }));

afterEach(() => vi.unstubAllGlobals());

const rate = (category: RateCardEntry['category'], basePriceCents: number): RateCardEntry => ({ category, basePriceCents, currency: 'USD' });

const rowOrder = (table: HTMLElement) => within(table).getAllByRole('row').slice(1).map((r) => r.getAttribute('data-testid'));

describe('sortRows', () => {
  it('sorts numbers and words, stable, with rows lacking a value last either way', () => {
    const rows = [{ n: 'b', v: 2 }, { n: 'a10', v: null }, { n: 'a9', v: 1 }, { n: 'c', v: 2 }];
    expect(sortRows(rows, (r) => r.v, 'ascending').map((r) => r.n)).toEqual(['a9', 'b', 'c', 'a10']);
    expect(sortRows(rows, (r) => r.v, 'descending').map((r) => r.n)).toEqual(['b', 'c', 'a9', 'a10']);
    // Numeric collation: a9 before a10.
    expect(sortRows(rows, (r) => r.n, 'ascending').map((r) => r.n)).toEqual(['a9', 'a10', 'b', 'c']);
  });
});

describe('a sortable table', () => {
  it('sorts by a column on click and by keyboard, with aria-sort on that header only, and back to the API’s order', async () => {
    serve({ 'GET /api/rate-card': () => ({ body: [rate('research', 3000), rate('bookkeeping', 4500), rate('data_entry', 1500)] }) });
    renderWithProviders(<RateCardPage />);
    const table = await screen.findByRole('table', { name: 'Rate card' });
    expect(rowOrder(table)).toEqual(['rate-row-research', 'rate-row-bookkeeping', 'rate-row-data_entry']);
    const priceHeader = within(table).getByRole('columnheader', { name: /Base price/ });
    const categoryHeader = within(table).getByRole('columnheader', { name: /Category/ });
    expect(priceHeader.getAttribute('aria-sort')).toBeNull();

    const priceButton = within(priceHeader).getByRole('button', { name: 'Base price' });
    fireEvent.click(priceButton);
    expect(priceHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(categoryHeader.getAttribute('aria-sort')).toBeNull();
    expect(rowOrder(table)).toEqual(['rate-row-data_entry', 'rate-row-research', 'rate-row-bookkeeping']);

    // A native button: Enter and Space press it, so the keyboard sorts as the mouse does.
    expect(priceButton.tagName).toBe('BUTTON');
    priceButton.focus();
    fireEvent.click(priceButton);
    expect(priceHeader.getAttribute('aria-sort')).toBe('descending');
    expect(rowOrder(table)).toEqual(['rate-row-bookkeeping', 'rate-row-research', 'rate-row-data_entry']);

    fireEvent.click(within(categoryHeader).getByRole('button'));
    expect(categoryHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(priceHeader.getAttribute('aria-sort')).toBeNull();
    expect(rowOrder(table)).toEqual(['rate-row-bookkeeping', 'rate-row-data_entry', 'rate-row-research']);

    fireEvent.click(within(categoryHeader).getByRole('button'));
    fireEvent.click(within(categoryHeader).getByRole('button'));
    expect(categoryHeader.getAttribute('aria-sort')).toBeNull();
    expect(rowOrder(table)).toEqual(['rate-row-research', 'rate-row-bookkeeping', 'rate-row-data_entry']);
  });

  it('says a paged list is sorted only within what has loaded', () => {
    const entry = (id: string, amountCents: number) => ({
      id,
      taskId: 't',
      taskTitle: `Task ${id}`,
      organizationId: ORG,
      assistantId: null,
      kind: 'charge' as const,
      amountCents,
      currency: 'USD',
      createdAt: new Date().toISOString(),
    });
    renderWithProviders(
      <EntryTable entries={[entry('a', 100), entry('b', 300), entry('c', 200)]} label="Ledger entries" taskLinkBase="/admin/tasks" hasMore onLoadMore={() => undefined} />,
    );
    const table = screen.getByRole('table', { name: 'Ledger entries' });
    expect(screen.queryByRole('status')).toBeNull();
    const amount = within(table).getByRole('columnheader', { name: /Amount/ });
    fireEvent.click(within(amount).getByRole('button'));
    expect(amount.getAttribute('aria-sort')).toBe('ascending');
    expect(rowOrder(table)).toEqual(['entry-row-a', 'entry-row-c', 'entry-row-b']);
    expect(screen.getByRole('status').textContent).toBe('Sorted within the 3 entries loaded so far. Load more to include the rest.');
  });
});
