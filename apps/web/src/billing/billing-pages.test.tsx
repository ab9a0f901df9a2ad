import type { BillingSummary, Earnings, LedgerEntryView, Statement } from '@handoff/contracts';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AdjustmentForm, AdminBillingPage, fieldOf } from '../admin/admin-billing-page';
import { clearAccessToken, setAccessToken } from '../api/token-store';
import { EarningsPage } from '../assistant/earnings-page';
import { StatementPage } from '../client/statement-page';
import { LiveProvider } from '../live/live-provider';
import { FakeSocket } from '../test/fake-socket';
import { ORG, user } from '../test/fixtures';
import { renderWithProviders } from '../test/render';
import { serve } from '../test/serve';
import { currentMonth, downloadExport, monthPeriod } from './billing-api';

vi.mock('@mantine/notifications', () => ({ notifications: { show: vi.fn() } }));

const TASK = '22222222-2222-4222-8222-222222222222';

function entry(overrides: Partial<LedgerEntryView> = {}): LedgerEntryView {
  return {
    id: 'e-1',
    taskId: TASK,
    taskTitle: 'Enter March invoices',
    organizationId: ORG,
    assistantId: 'asst-1',
    kind: 'charge',
    amountCents: 2500,
    currency: 'USD',
    createdAt: new Date().toISOString(),
    createdBy: null,
    reason: null,
    ...overrides,
  };
}

const summary: BillingSummary = {
  ...monthPeriod(currentMonth()),
  organizations: [
    { organizationId: ORG, organizationName: 'Acme', currency: 'USD', tasksBilled: 2, chargedCents: 5000, paidOutCents: 4000, feeCents: 1000, refundedCents: 500, adjustedCents: 0, lateTasks: 1 },
  ],
  totals: [{ currency: 'USD', tasksBilled: 2, chargedCents: 5000, paidOutCents: 4000, feeCents: 1000, refundedCents: 500, adjustedCents: 0, lateTasks: 1 }],
  days: [{ day: new Date().toISOString().slice(0, 10), currency: 'USD', chargedCents: 5000, paidOutCents: 4000 }],
};

afterEach(() => {
  vi.unstubAllGlobals();
  clearAccessToken();
});

describe('admin billing page', () => {
  it('shows the summary with totals, the chart, and entries that follow the filters', async () => {
    const calls = serve({
      'GET /api/billing/summary': () => ({ body: summary }),
      'GET /api/billing/entries': (url) => ({
        body: { items: url.searchParams.get('kind') === 'refund' ? [entry({ id: 'r-1', kind: 'refund', amountCents: 500, reason: 'missed a line' })] : [entry()], nextCursor: null },
      }),
      'GET /api/users': () => ({ body: { items: [{ id: 'asst-1', name: 'Alex', role: 'assistant' }], nextCursor: null } }),
    });
    renderWithProviders(<AdminBillingPage />);

    const table = await screen.findByRole('table', { name: 'Billing summary by organization' });
    expect(within(table).getByText('Acme')).toBeTruthy();
    const total = screen.getByTestId('summary-total-USD');
    expect(total.textContent).toContain('$50.00');
    expect(total.textContent).toContain('$10.00');
    expect(screen.getByRole('img', { name: 'Charged and paid out per day in USD' })).toBeTruthy();
    const row = await screen.findByTestId('entry-row-e-1');
    // The task is named by its title, linked to it, never by a fragment of its id.
    expect(within(row).getByRole('link', { name: 'Task Enter March invoices' }).getAttribute('href')).toBe(`/admin/tasks/${TASK}`);
    expect(row.textContent).not.toContain(TASK.slice(0, 8));

    fireEvent.change(screen.getByLabelText('Kind', { selector: '[aria-label="Entry filters"] select' }), { target: { value: 'refund' } });
    const refund = await screen.findByTestId('entry-row-r-1');
    expect(refund.textContent).toContain('-$5.00');
    expect(refund.textContent).toContain('missed a line');
    const last = calls.filter((c) => c.url.pathname === '/api/billing/entries').at(-1)!;
    expect(last.url.searchParams.get('kind')).toBe('refund');
    expect(last.url.searchParams.get('from')).toBe(summary.from);
  });

  it('downloads the export with the bearer token and the server’s file name', async () => {
    setAccessToken('admin-token', 900);
    const calls = serve({
      'GET /api/billing/export.csv': () => ({ body: 'id\r\n', headers: { 'Content-Type': 'text/csv', 'Content-Disposition': 'attachment; filename="handoff-billing-2026-03-01.csv"' } }),
    });
    const click = vi.fn();
    const created = { href: '', download: '', click, remove: vi.fn() };
    const doc = { createElement: () => created, body: { appendChild: vi.fn() } } as unknown as Document;
    URL.createObjectURL = vi.fn(() => 'blob:x');
    URL.revokeObjectURL = vi.fn();
    const name = await downloadExport({ kind: 'charge', organizationId: ORG }, doc);
    expect(name).toBe('handoff-billing-2026-03-01.csv');
    expect(click).toHaveBeenCalled();
    expect(created.download).toBe(name);
    expect((calls[0]!.init.headers as Record<string, string>).Authorization).toBe('Bearer admin-token');
    expect(calls[0]!.url.search).toBe(`?kind=charge&organizationId=${ORG}`);
  });
});

describe('refund and adjustment form', () => {
  const fill = (fields: Record<string, string>) => {
    for (const [label, value] of Object.entries(fields)) fireEvent.change(screen.getByLabelText(label, { exact: false }), { target: { value } });
  };

  it('checks the fields before sending and sends nothing when they are wrong', async () => {
    const calls = serve({});
    renderWithProviders(<AdjustmentForm />);
    fill({ 'Task ID': TASK, 'Amount (cents)': '12.5' });
    fireEvent.click(screen.getByRole('button', { name: 'Record' }));
    expect(await screen.findByText('Must be an integer number of cents')).toBeTruthy();
    expect(screen.getByText('Required')).toBeTruthy();
    expect(calls).toHaveLength(0);
  });

  it('records with an idempotency key and puts the API’s refusal under the field it names', async () => {
    let n = 0;
    const calls = serve({
      'POST /api/billing/adjustments': () =>
        ++n === 1
          ? { status: 422, body: { statusCode: 422, error: 'Unprocessable Entity', message: 'amountCents 9999 exceeds what is left to refund: 2500 of the 2500 charged' } }
          : { status: 201, body: entry({ id: 'r-2', kind: 'refund', amountCents: 2500, reason: 'wrong file' }) },
    });
    renderWithProviders(<AdjustmentForm />);
    fill({ 'Task ID': TASK, 'Amount (cents)': '9999', Reason: 'wrong file' });
    fireEvent.click(screen.getByRole('button', { name: 'Record' }));
    expect(await screen.findByText(/exceeds what is left to refund/)).toBeTruthy();
    fill({ 'Amount (cents)': '2500' });
    fireEvent.click(screen.getByRole('button', { name: 'Record' }));
    await waitFor(() => expect(calls).toHaveLength(2));
    const body = JSON.parse(calls[1]!.init.body as string);
    expect(body).toEqual({ taskId: TASK, kind: 'refund', amountCents: 2500, reason: 'wrong file' });
    const keys = calls.map((c) => (c.init.headers as Record<string, string>)['Idempotency-Key']);
    expect(keys[0]).toBeTruthy();
    // A refused request's key is not reused for the corrected one.
    expect(keys[1]).not.toBe(keys[0]);
  });

  it('knows which field an API message names', () => {
    expect(fieldOf('amountCents must be an integer')).toBe('amountCents');
    expect(fieldOf('taskId: task not found')).toBe('taskId');
    expect(fieldOf('something else went wrong')).toBeNull();
  });
});

describe('client statement', () => {
  it('shows the month’s lines and total, and asks for another month when picked', async () => {
    const month = currentMonth();
    const statement = (m: string): Statement => ({
      organizationId: ORG,
      organizationName: 'Acme',
      month: m,
      ...monthPeriod(m),
      lines: m === month ? [entry(), entry({ id: 'e-2', kind: 'refund', amountCents: 500, reason: 'partial' })] : [],
      nextCursor: null,
      totals: m === month ? [{ currency: 'USD', chargedCents: 2500, refundedCents: 500, adjustedCents: 0, totalCents: 2000, tasksBilled: 1 }] : [],
    });
    const calls = serve({ 'GET /api/billing/statement': (url) => ({ body: statement(url.searchParams.get('month')!) }) });
    renderWithProviders(<StatementPage />);
    expect((await screen.findByTestId('statement-total-USD')).textContent).toContain('$20.00');
    expect(screen.getByTestId('entry-row-e-2').textContent).toContain('-$5.00');
    const select = screen.getByLabelText('Month') as HTMLSelectElement;
    const previous = select.options[1]!.value;
    fireEvent.change(select, { target: { value: previous } });
    expect(await screen.findByText(/Nothing billed in/)).toBeTruthy();
    expect(calls.at(-1)!.url.searchParams.get('month')).toBe(previous);
  });
});

describe('client statement lines', () => {
  it('loads the month’s further lines on request, keeping the month’s totals', async () => {
    const month = currentMonth();
    const page = (cursor: string | null): Statement => ({
      organizationId: ORG,
      organizationName: 'Acme',
      month,
      ...monthPeriod(month),
      lines: cursor ? [entry({ id: 'e-2', kind: 'refund', amountCents: 500, reason: 'partial' })] : [entry()],
      nextCursor: cursor ? null : 'next-page',
      totals: [{ currency: 'USD', chargedCents: 2500, refundedCents: 500, adjustedCents: 0, totalCents: 2000, tasksBilled: 1 }],
    });
    const calls = serve({ 'GET /api/billing/statement': (url) => ({ body: page(url.searchParams.get('cursor')) }) });
    renderWithProviders(<StatementPage />);
    expect((await screen.findByTestId('statement-total-USD')).textContent).toContain('$20.00');
    expect(screen.queryByTestId('entry-row-e-2')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect((await screen.findByTestId('entry-row-e-2')).textContent).toContain('-$5.00');
    expect(screen.getByTestId('entry-row-e-1')).toBeTruthy();
    expect(calls.at(-1)!.url.searchParams.get('cursor')).toBe('next-page');
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });
});

describe('client statement totals', () => {
  it('shows a month without refunds as $0.00 refunded, not −$0.00', async () => {
    const month = currentMonth();
    serve({
      'GET /api/billing/statement': () => ({
        body: {
          organizationId: ORG,
          organizationName: 'Acme',
          month,
          ...monthPeriod(month),
          lines: [entry()],
          nextCursor: null,
          totals: [{ currency: 'USD', chargedCents: 2500, refundedCents: 0, adjustedCents: 0, totalCents: 2500, tasksBilled: 1 }],
        } satisfies Statement,
      }),
    });
    renderWithProviders(<StatementPage />);
    const totals = await screen.findByRole('list', { name: /^Totals for/ });
    const refunded = within(totals).getByText('Refunded').closest('[role="listitem"]')!;
    expect(refunded.textContent).toContain('$0.00');
    expect(refunded.textContent).not.toMatch(/[-−]\$0\.00/);
    expect(within(screen.getByTestId('entry-row-e-1')).getByRole('link', { name: 'Task Enter March invoices' })).toBeTruthy();
  });
});

describe('assistant earnings', () => {
  it('shows totals per period and the payouts, and updates live on billing.recorded', async () => {
    let payouts = [entry({ id: 'p-1', kind: 'payout', amountCents: 2000 })];
    const earnings = (): Earnings => ({
      assistantId: 'asst-1',
      from: null,
      to: null,
      groupBy: 'month',
      periods: [{ period: currentMonth(), currency: 'USD', totalCents: payouts.reduce((s, p) => s + p.amountCents, 0), payouts: payouts.length }],
      totals: [{ currency: 'USD', totalCents: payouts.reduce((s, p) => s + p.amountCents, 0), payouts: payouts.length }],
    });
    serve({
      'GET /api/billing/earnings': () => ({ body: earnings() }),
      'GET /api/billing/entries': () => ({ body: { items: payouts, nextCursor: null } }),
    });
    const socket = new FakeSocket();
    renderWithProviders(
      <LiveProvider user={user({ id: 'asst-1', role: 'assistant', organizationId: null })} createSocket={() => socket}>
        <EarningsPage />
      </LiveProvider>,
    );
    expect((await screen.findByTestId('earnings-total-USD')).textContent).toContain('$20.00');
    expect(screen.getByTestId('entry-row-p-1')).toBeTruthy();

    const fresh = entry({ id: 'p-2', kind: 'payout', amountCents: 1600 });
    payouts = [fresh, ...payouts];
    await act(async () => {
      socket.serverSends('billing.recorded', { entry: fresh });
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(await screen.findByTestId('entry-row-p-2')).toBeTruthy();
    const { notifications } = await import('@mantine/notifications');
    expect(vi.mocked(notifications.show)).toHaveBeenCalledWith(expect.objectContaining({ title: 'Payout recorded', message: 'You earned $16.00 for “Enter March invoices”.' }));
    await waitFor(() => expect(screen.getByTestId('earnings-total-USD').textContent).toContain('$36.00'));
  });
});
