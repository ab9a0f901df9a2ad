import type { ScheduleView } from '@handoff/contracts';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearAccessToken, setAccessToken } from '../api/token-store';
import { templateView } from '../test/fixtures';
import { renderWithProviders } from '../test/render';
import { serve } from '../test/serve';
import { describeRule, ruleOf, SchedulesPage } from './schedules-page';

vi.mock('@mantine/notifications', () => ({ notifications: { show: vi.fn() } }));

const TPL = '55555555-5555-4555-8555-555555555555';
const SCH = '66666666-6666-4666-8666-666666666666';
const now = new Date().toISOString();

const view = templateView({ id: TPL, name: 'Payroll run', category: 'payroll', instructions: 'Run payroll.', inputs: [{ key: 'sheet', label: 'Timesheet link', type: 'text', required: true, maxLength: 200 }] });
const { current: _current, ...summary } = view;

const schedule = (over: Partial<ScheduleView> = {}): ScheduleView => ({
  id: SCH,
  organizationId: 'org',
  templateId: TPL,
  versionId: null,
  name: 'Payroll run',
  rule: { kind: 'monthly_last_business_day', time: '17:00', start: now },
  inputs: { sheet: 'https://sheets.example/1' },
  priority: null,
  state: 'active',
  paused: null,
  skipAt: null,
  nextRunAt: '2026-12-31T16:00:00.000Z',
  lastRunAt: null,
  timeZone: 'Europe/Berlin',
  nextRuns: [
    { at: '2026-12-31T16:00:00.000Z', local: '2026-12-31T17:00', skipped: false },
    { at: '2027-01-29T16:00:00.000Z', local: '2027-01-29T17:00', skipped: false },
  ],
  createdBy: 'u',
  createdAt: now,
  updatedAt: now,
  ...over,
});

afterEach(() => {
  vi.unstubAllGlobals();
  clearAccessToken();
});

describe('the rule builder', () => {
  it('builds each kind of rule the API takes, and says it in words', () => {
    const start = new Date('2026-12-01T00:00:00Z');
    const base = { time: '09:30', days: ['thu', 'mon'] as const, day: 31, expression: ' 0 9 * * 1-5 ' };
    expect(ruleOf({ ...base, days: [...base.days], kind: 'weekly' }, start)).toEqual({ kind: 'weekly', days: ['mon', 'thu'], time: '09:30', start: start.toISOString() });
    expect(ruleOf({ ...base, days: [], kind: 'monthly_day' }, start)).toEqual({ kind: 'monthly_day', day: 31, time: '09:30', start: start.toISOString() });
    expect(ruleOf({ ...base, days: [], kind: 'cron' }, start)).toEqual({ kind: 'cron', expression: '0 9 * * 1-5', start: start.toISOString() });
    expect(describeRule({ kind: 'weekly', days: ['mon', 'thu'], time: '17:30', start: now })).toBe('Weekly on Mon, Thu at 17:30');
    expect(describeRule({ kind: 'monthly_last_business_day', time: '17:00', start: now })).toBe('Last business day of the month at 17:00');
  });
});

describe('SchedulesPage', () => {
  it('lists schedules with their next runs, creates one from a template with its inputs, and pauses, skips and shows past runs', async () => {
    setAccessToken('client-token', 900);
    let listed: ScheduleView[] = [schedule({ paused: { at: now, reason: "the run's submission was refused (422): over budget" }, state: 'paused' })];
    const calls = serve({
      'GET /api/schedules': () => ({ body: { items: listed, nextCursor: null } }),
      'GET /api/templates': () => ({ body: { items: [summary], nextCursor: null } }),
      [`GET /api/templates/${TPL}`]: () => ({ body: view }),
      'POST /api/schedules': () => {
        listed = [...listed, schedule({ id: '77777777-7777-4777-8777-777777777777', rule: { kind: 'weekly', days: ['mon', 'fri'], time: '08:00', start: now } })];
        return { status: 201, body: listed[1] };
      },
      [`POST /api/schedules/${SCH}/resume`]: () => {
        listed = [schedule(), ...listed.slice(1)];
        return { body: listed[0] };
      },
      [`POST /api/schedules/${SCH}/skip`]: () => ({ body: schedule({ skipAt: '2026-12-31T16:00:00.000Z' }) }),
      [`GET /api/schedules/${SCH}/runs`]: () => ({
        body: { items: [{ id: 'r1', scheduleId: SCH, scheduledAt: '2026-11-30T16:00:00.000Z', outcome: 'created', taskId: 't1', taskStatus: 'accepted', reason: null, missed: 2, createdAt: now }], nextCursor: null },
      }),
    });
    renderWithProviders(<SchedulesPage />);

    // A paused schedule says why, and offers Resume.
    expect(await screen.findByText(/over budget/)).toBeTruthy();
    expect(screen.getByText('Last business day of the month at 17:00')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Resume' }));
    await waitFor(() => expect(calls.some((c) => c.url.pathname === `/api/schedules/${SCH}/resume`)).toBe(true));
    expect(await screen.findByText('2026-12-31 17:00')).toBeTruthy();

    // Upcoming and past runs.
    fireEvent.click(screen.getByRole('button', { name: 'Runs' }));
    expect((await screen.findByTestId(`upcoming-${SCH}`)).textContent).toContain('2027-01-29 17:00');
    expect(await screen.findByText(/2 missed while offline/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Skip next' }));
    await waitFor(() => expect(calls.some((c) => c.url.pathname === `/api/schedules/${SCH}/skip`)).toBe(true));

    // A new weekly schedule from the template, with its required input fixed.
    fireEvent.click(screen.getByPlaceholderText('Choose a template'));
    fireEvent.click(await screen.findByRole('option', { name: /Payroll run/, hidden: true }));
    fireEvent.change(screen.getByLabelText('Repeats'), { target: { value: 'weekly' } });
    fireEvent.click(screen.getByLabelText('Fri'));
    fireEvent.change(screen.getByLabelText('Time'), { target: { value: '08:00' } });
    fireEvent.change(await screen.findByLabelText(/Timesheet link/), { target: { value: 'https://sheets.example/2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create schedule' }));
    await waitFor(() => expect(calls.filter((c) => c.url.pathname === '/api/schedules' && c.init.method === 'POST')).toHaveLength(1));
    const sent = JSON.parse(String(calls.find((c) => c.init.method === 'POST' && c.url.pathname === '/api/schedules')!.init.body));
    expect(sent).toMatchObject({ templateId: TPL, rule: { kind: 'weekly', days: ['mon', 'fri'], time: '08:00' }, inputs: { sheet: 'https://sheets.example/2' } });
    expect(await screen.findByText('Weekly on Mon, Fri at 08:00')).toBeTruthy();
  });
});
