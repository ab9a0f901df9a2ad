import type { Page, Statement, TemplateProcess, TemplateRun, TemplateSummary } from '@handoff/contracts';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearAccessToken, setAccessToken } from '../api/token-store';
import { currentMonth } from '../billing/billing-api';
import { ORG } from '../test/fixtures';
import { renderWithProviders } from '../test/render';
import { serve } from '../test/serve';
import { ProcessPage } from './process-page';
import { StatementPage } from './statement-page';
import { TemplatesPage } from './templates-page';

vi.mock('@mantine/notifications', () => ({ notifications: { show: vi.fn() } }));

const TPL = '33333333-3333-4333-8333-333333333333';

const stats = { tasks: 4, returned: 3, returnedOnTime: 2, onTimeRate: 2 / 3, avgSecondsToReturn: 7200, avgSecondsToAccept: 90_000, accepted: 2, acceptedFirstPass: 1, firstPassRate: 0.5 };
const weeks = Array.from({ length: 12 }, (_, i) => ({
  week: new Date(Date.UTC(2026, 8, 14 + 7 * i)).toISOString().slice(0, 10),
  submitted: i === 11 ? 4 : 0,
  returnedOnTime: i === 11 ? 2 : 0,
  returnedLate: i === 11 ? 1 : 0,
  spend: i === 11 ? [{ currency: 'USD', netCents: 4875 }] : [],
}));
const process: TemplateProcess = {
  templateId: TPL,
  timeZone: 'Pacific/Auckland',
  asOf: '2026-12-03T10:00:00.000Z',
  stats: { last30Days: stats, allTime: { ...stats, tasks: 5 } },
  month: '2026-12',
  spendThisMonth: [{ currency: 'USD', chargedCents: 5000, refundedCents: 125, adjustedCents: 0, netCents: 4875 }],
  weeks,
};
const run = (overrides: Partial<TemplateRun>): TemplateRun => ({
  id: 'r-1',
  title: 'Enter invoices',
  status: 'accepted',
  templateVersion: 2,
  submittedAt: '2026-12-01T09:00:00.000Z',
  deadline: '2026-12-01T19:00:00.000Z',
  returnedAt: '2026-12-01T11:00:00.000Z',
  acceptedAt: '2026-12-02T12:00:00.000Z',
  onTime: true,
  priceCents: 2500,
  currency: 'USD',
  ...overrides,
});

afterEach(() => {
  vi.unstubAllGlobals();
  clearAccessToken();
});

describe('process page', () => {
  it('shows the figures, this month’s spend, the weekly chart and the runs with their status', async () => {
    const pages: Record<string, Page<TemplateRun>> = {
      first: { items: [run({}), run({ id: 'r-2', title: 'Late batch', status: 'returned', onTime: false, acceptedAt: null })], nextCursor: 'c2' },
      c2: { items: [run({ id: 'r-3', title: 'Queued batch', status: 'queued', onTime: null, returnedAt: null, acceptedAt: null })], nextCursor: null },
    };
    const calls = serve({
      [`GET /api/templates/${TPL}`]: () => ({ body: { id: TPL, name: 'Invoice entry' } }),
      [`GET /api/templates/${TPL}/process`]: () => ({ body: process }),
      [`GET /api/templates/${TPL}/runs`]: (url) => ({ body: pages[url.searchParams.get('cursor') ?? 'first'] }),
    });
    renderWithProviders(
      <Routes>
        <Route path="/client/templates/:id" element={<ProcessPage />} />
      </Routes>,
      { route: `/client/templates/${TPL}` },
    );

    expect(await screen.findByRole('heading', { name: 'Invoice entry: process' })).toBeTruthy();
    const recent = await screen.findByRole('list', { name: 'Figures, last 30 days' });
    expect(within(recent).getByText('67%')).toBeTruthy();
    expect(within(recent).getByText('2 of 3 returned')).toBeTruthy();
    expect(within(recent).getByText('2 h')).toBeTruthy();
    expect(within(recent).getByText('1 d 1 h')).toBeTruthy();
    expect(within(recent).getByText('50%')).toBeTruthy();
    expect(within(screen.getByRole('list', { name: 'Figures, all time' })).getByText('5')).toBeTruthy();
    const spend = screen.getByTestId('spend-this-month');
    expect(spend.textContent).toContain('$48.75');
    expect(spend.textContent).toContain('refunded -$1.25');
    expect(spend.textContent).toContain('Pacific/Auckland');

    // The chart's numbers, as its table gives them to assistive technology.
    expect(screen.getByRole('img', { name: 'Tasks submitted, returned on time and returned late per week' })).toBeTruthy();
    const table = screen.getByRole('table', { name: 'Tasks submitted, returned on time and returned late per week' });
    const last = within(table).getByText(weeks[11]!.week).closest('tr')!;
    expect([...last.querySelectorAll('td')].map((td) => td.textContent)).toEqual([weeks[11]!.week, '4', '2', '1']);
    expect(within(screen.getByRole('table', { name: 'Spend per week in USD' })).getByText('$48.75')).toBeTruthy();

    const late = await screen.findByTestId('run-row-r-2');
    expect(within(late).getByTestId('task-status').dataset.status).toBe('returned');
    expect(within(late).getByTestId('run-on-time').textContent).toBe('Late');
    expect(within(screen.getByTestId('run-row-r-1')).getByTestId('run-on-time').textContent).toBe('On time');
    expect(within(late).getByRole('link', { name: 'Late batch' }).getAttribute('href')).toBe('/client/tasks/r-2');

    fireEvent.click(screen.getByRole('button', { name: /load more/i }));
    const queued = await screen.findByTestId('run-row-r-3');
    expect(within(queued).queryByTestId('run-on-time')).toBeNull();
    expect(calls.filter((c) => c.url.pathname.endsWith('/runs')).at(-1)!.url.searchParams.get('cursor')).toBe('c2');
  });

  it('links each template to its process from the templates list', async () => {
    const summary = { id: TPL, name: 'Invoice entry', category: 'data_entry', version: 2, starter: false } as TemplateSummary;
    serve({ 'GET /api/templates': () => ({ body: { items: [summary], nextCursor: null } }) });
    renderWithProviders(<TemplatesPage />);
    const link = await screen.findByRole('link', { name: 'View process of Invoice entry' });
    expect(link.getAttribute('href')).toBe(`/client/templates/${TPL}`);
  });
});

describe('statement downloads', () => {
  it('downloads the month as PDF and as CSV with the bearer token', async () => {
    setAccessToken('client-token', 900);
    const month = currentMonth();
    const statement: Statement = { organizationId: ORG, organizationName: 'Acme', month, from: '', to: '', lines: [], nextCursor: null, totals: [] };
    const calls = serve({
      'GET /api/billing/statement': () => ({ body: statement }),
      'GET /api/billing/statement.pdf': () => ({ body: '%PDF-1.3', headers: { 'Content-Type': 'application/pdf', 'Content-Disposition': `attachment; filename="handoff-statement-${month}.pdf"` } }),
      'GET /api/billing/statement.csv': () => ({ body: 'id\r\n', headers: { 'Content-Type': 'text/csv', 'Content-Disposition': `attachment; filename="handoff-statement-${month}.csv"` } }),
    });
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    URL.createObjectURL = vi.fn(() => 'blob:x');
    URL.revokeObjectURL = vi.fn();
    renderWithProviders(<StatementPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Download PDF' }));
    await waitFor(() => expect(click).toHaveBeenCalledTimes(1));
    fireEvent.click(screen.getByRole('button', { name: 'Download CSV' }));
    await waitFor(() => expect(click).toHaveBeenCalledTimes(2));
    const files = calls.filter((c) => c.url.pathname.startsWith('/api/billing/statement.'));
    expect(files.map((c) => `${c.url.pathname}${c.url.search}`)).toEqual([`/api/billing/statement.pdf?month=${month}`, `/api/billing/statement.csv?month=${month}`]);
    expect((files[0]!.init.headers as Record<string, string>).Authorization).toBe('Bearer client-token');
    click.mockRestore();
  });
});
