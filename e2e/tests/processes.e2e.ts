import type { ScheduleView, TaskView, TemplateSummary } from '@handoff/contracts';
import { field, useBrowser } from '../support/browser.js';
import { act, call, registerAssistant, registerClient, uniqueId, type Person } from '../support/api.js';
import { expectText, signIn } from '../support/live.js';

// The processes a newcomer hands off: a month-end close on a schedule in Berlin
// time, 200 invoices bulk-uploaded for data entry, a checklist the client
// watches move, and a budget that refuses the task that would pass it.

/** Polls until the probe answers something, for what the dashboard's clicks create on the server. */
async function found<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: nothing within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const starter = async (client: Person, name: string) =>
  (await call<{ items: TemplateSummary[] }>('GET', '/templates?scope=starter&limit=100', { token: client.token })).items.find((t) => t.name === name)!;

describe('processes: schedules, bulk hand-offs, checklists and budgets in the dashboard', () => {
  const session = useBrowser();
  let client: Person;
  let assistant: Person;

  beforeAll(async () => {
    client = await registerClient('Process Owner');
    assistant = await registerAssistant('Process Assistant', ['bookkeeping', 'data_entry']);
    const me = await call<{ organizationId: string }>('GET', '/auth/me', { token: client.token });
    await call('PATCH', `/organizations/${me.organizationId}/settings`, { token: client.token, body: { timeZone: 'Europe/Berlin' } });
  });

  it('schedules month-end bookkeeping for the last business day of every month at 17:00 in Berlin', async () => {
    const page = session.page;
    await signIn(page, client, '/client/tasks');
    await page.goto('/client/schedules');
    await page.getByRole('combobox', { name: 'Template' }).click();
    await page.getByRole('option', { name: /Month-end bookkeeping/ }).click();
    await field(page, 'Repeats').selectOption('monthly_last_business_day');
    await field(page, 'Time').fill('17:00');
    await field(page, 'Accounting system').fill('Xero');
    await page.getByRole('button', { name: 'Create schedule' }).click();

    const made = await found('the schedule', async () => (await call<{ items: ScheduleView[] }>('GET', '/schedules', { token: client.token })).items[0]);
    expect(made).toMatchObject({ timeZone: 'Europe/Berlin', rule: { kind: 'monthly_last_business_day', time: '17:00' }, inputs: { ledger: 'Xero' } });
    // Each upcoming run is 17:00 Berlin time on a weekday that ends its month's business days.
    for (const run of made.nextRuns) {
      const at = new Date(run.at);
      const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false }).formatToParts(at);
      const part = (type: string) => berlin.find((p) => p.type === type)?.value;
      expect(`${part('hour')}:${part('minute')}`).toBe('17:00');
      expect(['Sat', 'Sun']).not.toContain(part('weekday'));
    }
    const row = page.getByRole('row').filter({ hasText: 'Last business day of the month at 17:00' });
    await row.getByRole('button', { name: 'Runs' }).click();
    await expectText(page.getByTestId(`upcoming-${made.id}`).locator('p').first(), made.nextRuns[0]!.local.replace('T', ' '), 'the first upcoming run');
  });

  it('bulk-uploads 200 invoices for data entry and watches them become tasks', async () => {
    const page = session.page;
    const invoices = await starter(client, 'Invoice data entry');
    await signIn(page, client, '/client/tasks');
    await page.goto(`/client/templates/${invoices.id}/import`);
    await page.getByText('Paste rows').click();
    const rows = Array.from({ length: 200 }, (_, i) => `INV-${uniqueId()}-${i + 1},Supplier ${i % 7},${(100 + i).toFixed(2)},2026-11-${String((i % 28) + 1).padStart(2, '0')}`);
    await field(page, 'Rows as CSV').fill(['invoice_number,supplier,amount,invoice_date', ...rows].join('\n'));
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('heading', { name: '200 rows: 200 valid, 0 rejected' }).waitFor();
    await page.getByRole('button', { name: 'Create 200 tasks' }).click();
    await expectText(page.getByTestId('import-status'), 'done', 'the import finished');
    const queued = await call<{ items: TaskView[] }>('GET', '/tasks?status=queued&category=data_entry&limit=200', { token: client.token });
    expect(queued.items.filter((t) => t.templateId === invoices.id)).toHaveLength(200);
  });

  it('lets the client watch the assistant work through the checklist, step by step', async () => {
    const bookkeeping = await starter(client, 'Month-end bookkeeping');
    const task = await call<TaskView>('POST', '/tasks', { token: client.token, body: { templateId: bookkeeping.id, inputs: { period_end: '2026-11-30', ledger: 'Xero' } } });
    await act(assistant, task.id, 'claim');
    await act(assistant, task.id, 'start');
    const total = task.checklist.total;

    const clientPage = session.page;
    const assistantPage = await session.newPerson('assistant');
    await Promise.all([signIn(clientPage, client, '/client/tasks'), signIn(assistantPage, assistant, '/assistant/board')]);
    await Promise.all([clientPage.goto(`/client/tasks/${task.id}`), assistantPage.goto(`/assistant/tasks/${task.id}`)]);
    await expectText(clientPage.getByTestId('checklist-count'), `0 of ${total} steps`, 'the client before any tick');
    const boxes = assistantPage.getByRole('checkbox');
    for (let done = 1; done <= 3; done++) {
      await boxes.nth(done - 1).click();
      // Without a reload: the client's page hears each tick.
      await expectText(clientPage.getByTestId('checklist-count'), `${done} of ${total} steps`, `the client after tick ${done}`);
    }
  });

  it('refuses the task that would pass the monthly budget, and offers the owner the overage', async () => {
    const me = await call<{ organizationId: string }>('GET', '/auth/me', { token: client.token });
    // The 200 invoices and the checklist task are committed spend already; a dollar of budget is past.
    await call('PATCH', `/organizations/${me.organizationId}/settings`, { token: client.token, body: { monthlyBudgetCents: 100 } });
    const before = (await call<{ items: TaskView[] }>('GET', '/tasks?limit=200', { token: client.token })).items.length;

    const page = session.page;
    await signIn(page, client, '/client/tasks');
    await page.goto('/client/tasks/new');
    await field(page, 'Title').fill(`One more close ${uniqueId()}`);
    await field(page, 'Instructions').fill('Close the extra ledger.');
    await field(page, 'Category').selectOption('bookkeeping');
    await field(page, 'Deadline').fill(new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 16));
    await page.getByRole('button', { name: 'Submit task' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'Over the monthly budget' });
    await refusal.waitFor();
    await refusal.getByRole('button', { name: /Approve the \$[\d,.]+ overage and submit/ }).waitFor();
    expect((await call<{ items: TaskView[] }>('GET', '/tasks?limit=200', { token: client.token })).items.length).toBe(before);
  });
});
