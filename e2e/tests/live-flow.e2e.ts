import type { LedgerEntryView } from '@handoff/contracts';
import type { Page } from 'playwright-core';
import { field, screenshot, useBrowser } from '../support/browser.js';
import { ADMIN, billingEntries, call, queueHealth, registerAssistant, registerClient, signInAdmin, statusOf, uniqueId, type Person } from '../support/api.js';
import { expectAttribute, expectCount, expectRowStatus, signIn, until, watchNavigation } from '../support/live.js';

/** The number on an admin's "tasks by state" card. */
async function stateCount(page: Page, status: string): Promise<number | null> {
  const text = await page.getByTestId(`state-count-${status}`).textContent({ timeout: 1_000 });
  const digits = /\d+/.exec(text ?? '');
  return digits ? Number(digits[0]) : null;
}

const TRACKED = ['queued', 'claimed', 'in_progress', 'returned', 'accepted'] as const;
type Counts = Record<(typeof TRACKED)[number], number>;

/** What the admin's queue view must read after one task moved into `status`, given the counts before it existed. */
function countsWith(base: Counts, status: keyof Counts): Counts {
  const counts = { ...base };
  counts[status] += 1;
  return counts;
}

function readCounts(page: Page): Promise<Record<string, number | null>> {
  return Promise.all(TRACKED.map(async (s) => [s, await stateCount(page, s)] as const)).then(Object.fromEntries);
}

describe('the live dashboard, three people side by side', () => {
  const session = useBrowser();

  it('moves a task from submission to acceptance on every screen without a reload', async () => {
    // People are set up over HTTP; everything the flow is about happens in the browsers.
    const client = await registerClient('Live Client');
    const assistant = await registerAssistant('Live Assistant', ['bookkeeping']);
    const admin: Person = await signInAdmin();
    const before = await queueHealth(admin);
    const base = Object.fromEntries(TRACKED.map((s) => [s, before.tasks[s] ?? 0])) as Counts;

    const clientPage = session.page;
    // The assistant works from another time zone than the client: each must see the deadline in their own.
    const assistantPage = await session.newPerson('assistant', { timezoneId: ASSISTANT_ZONE });
    const adminPage = await session.newPerson('admin');
    const clientNav = watchNavigation(clientPage);
    const assistantNav = watchNavigation(assistantPage);
    const adminNav = watchNavigation(adminPage);

    await Promise.all([
      signIn(clientPage, client, '/client/tasks'),
      signIn(assistantPage, assistant, '/assistant/board'),
      signIn(adminPage, ADMIN, '/admin/queue'),
    ]);
    await until('admin queue view before the flow', () => readCounts(adminPage), base);

    // Registered assistants start offline and are not offered new work; going online is part of the assistant's UI.
    // click, not check(): the switch follows the saved availability, which can lag the click on a busy machine.
    await assistantPage.getByLabel('Online', { exact: true }).click();
    await until('assistant online', async () => (await call<{ online?: boolean }>('GET', '/auth/me', { token: assistant.token })).online, true);

    // The client submits through the form and sees the price before committing.
    const title = `Reconcile the March statement ${uniqueId()}`;
    await clientPage.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'New task' }).click();
    await field(clientPage, 'Title').fill(title);
    await field(clientPage, 'Instructions').fill('Match every bank line to an invoice; flag anything unmatched.');
    await field(clientPage, 'Category').selectOption('bookkeeping');
    await field(clientPage, 'Priority').selectOption('high');
    const clientZone = await clientPage.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    const deadlineDay = new Date(Date.now() + 3 * 86_400_000);
    const typedDeadline = `${localInputValue(deadlineDay).slice(0, 10)}T10:00`;
    await field(clientPage, 'Deadline').fill(typedDeadline);
    const quote = clientPage.getByTestId('price-quote');
    const price = async () => /\$[\d,]+\.\d\d/.exec((await quote.textContent()) ?? '')?.[0] ?? null;
    await until('price quote shown', async () => (await price()) !== null, true);
    const quoted = await price();
    await clientPage.getByRole('button', { name: 'Submit task' }).click();
    await clientPage.waitForURL(/\/client\/tasks\/[0-9a-f-]{36}$/);
    const taskId = clientPage.url().split('/').pop()!;

    // The deadline is the wall-clock time the client typed, in the client's zone, and shown there with the zone named.
    const submitted = await call<{ deadline: string }>('GET', `/tasks/${taskId}`, { token: client.token });
    expect(wallClock(submitted.deadline, clientZone)).toBe(typedDeadline);
    await until('client sees the deadline in its zone', async () => (await clientPage.getByText(shownDeadline(submitted.deadline, clientZone)).count()) > 0, true);

    // Back on the list (an in-app link, not a reload), the client watches the row from here on.
    await clientPage.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Tasks', exact: true }).click();
    await clientPage.waitForURL('**/client/tasks');
    await expectRowStatus(clientPage, taskId, 'queued', 'client');
    // The price is the one quoted before submitting, fixed from then on.
    expect(await clientPage.getByTestId(`task-row-${taskId}`).textContent()).toContain(quoted);
    const clientNavigationsWhileWatching = clientNav.navigations();

    // The assistant's board was open before the task existed: it must appear there live.
    await expectRowStatus(assistantPage, taskId, 'queued', 'assistant board');
    await until('admin queue view: queued', () => readCounts(adminPage), countsWith(base, 'queued'));
    await screenshot(clientPage, 'live-flow--client-tasks');
    await screenshot(assistantPage, 'live-flow--assistant-board');
    await screenshot(adminPage, 'live-flow--admin-queue');

    // Claim from the board: the task leaves the board, the client sees who has it.
    await assistantPage.getByTestId(`task-row-${taskId}`).getByRole('button', { name: 'Claim' }).click();
    await expectCount(assistantPage.getByTestId(`task-row-${taskId}`), 0, 'claimed task leaves the board');
    await expectRowStatus(clientPage, taskId, 'claimed', 'client');
    await until('client sees the assignee', async () => (await clientPage.getByTestId(`task-row-${taskId}`).textContent())?.includes(assistant.name), true);
    await until('admin queue view: claimed', () => readCounts(adminPage), countsWith(base, 'claimed'));

    // The assistant works it from its own task page.
    await assistantPage.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'My tasks' }).click();
    await assistantPage.getByTestId(`task-row-${taskId}`).getByRole('link', { name: title }).click();
    await assistantPage.waitForURL(`**/assistant/tasks/${taskId}`);
    await until('assistant sees the deadline in its zone', async () => (await assistantPage.getByText(shownDeadline(submitted.deadline, ASSISTANT_ZONE)).count()) > 0, true);
    await assistantPage.getByRole('button', { name: 'Start', exact: true }).click();
    await expectAttribute(assistantPage.getByTestId('task-status'), 'data-status', 'in_progress', 'assistant task page');
    await expectRowStatus(clientPage, taskId, 'in_progress', 'client');
    await until('admin queue view: in progress', () => readCounts(adminPage), countsWith(base, 'in_progress'));

    // Billing pages, opened before the return, must show the charge and payout live.
    const billing = await openBillingPages(session, admin, assistant);

    const returnButton = assistantPage.getByRole('button', { name: 'Return', exact: true });
    expect(await returnButton.isDisabled()).toBe(true);
    await field(assistantPage, 'Result').fill('All 142 lines matched; two card refunds flagged in the notes tab.');
    await returnButton.click();
    await expectAttribute(assistantPage.getByTestId('task-status'), 'data-status', 'returned', 'assistant task page');
    await expectRowStatus(clientPage, taskId, 'returned', 'client');
    await until('admin queue view: returned', () => readCounts(adminPage), countsWith(base, 'returned'));
    expect(clientNav.navigations()).toBe(clientNavigationsWhileWatching);

    if (billing) await billing.expectEntriesFor(taskId);

    // The client opens the returned task from its row and accepts it.
    await clientPage.getByTestId(`task-row-${taskId}`).getByRole('link', { name: title }).click();
    await clientPage.waitForURL(`**/client/tasks/${taskId}`);
    await until('result shown to the client', async () => (await clientPage.getByTestId('task-result').textContent())?.includes('142 lines'), true);
    await clientPage.getByRole('button', { name: 'Accept' }).click();
    await expectAttribute(clientPage.getByTestId('task-status'), 'data-status', 'accepted', 'client task page');
    await until('admin queue view: accepted', () => readCounts(adminPage), countsWith(base, 'accepted'));

    // One document load each (the sign-in page); everything after it happened inside the running app.
    expect({ client: clientNav.loads(), assistant: assistantNav.loads(), admin: adminNav.loads() }).toEqual({ client: 1, assistant: 1, admin: 1 });
  });
});

const ASSISTANT_ZONE = 'Asia/Manila';

/** `YYYY-MM-DDTHH:mm` of an instant on the wall clock of `timeZone`. */
function wallClock(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** The dashboard's absolute deadline, as an en-US viewer in `timeZone` should see it: date, time and the zone's name. */
function shownDeadline(iso: string, timeZone: string): string {
  const at = new Date(iso);
  const dateTime = new Intl.DateTimeFormat('en-US', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(at);
  const zone = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
  return `${dateTime} ${zone}`;
}

/** What the datetime-local input expects: local wall-clock time, minutes precision. */
function localInputValue(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/**
 * The admin's billing page and the assistant's earnings, each in a second tab
 * of that person's browser, open before the return so their entries must
 * arrive live. Skipped (null) while the billing API is not there.
 */
async function openBillingPages(session: ReturnType<typeof useBrowser>, admin: Person, assistant: Person) {
  if ((await statusOf('/billing/entries', admin.token)) !== 200) {
    console.warn('GET /api/billing/entries is not 200: the billing part of the live flow is skipped');
    return null;
  }
  const adminBilling = await session.newPerson('admin-billing');
  const assistantEarnings = await session.newPerson('assistant-earnings');
  await Promise.all([signIn(adminBilling, ADMIN, '/admin/queue'), signIn(assistantEarnings, assistant, '/assistant/board')]);
  const adminNav = watchNavigation(adminBilling);
  const assistantNav = watchNavigation(assistantEarnings);
  await adminBilling.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Billing' }).click();
  await assistantEarnings.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Earnings' }).click();
  await adminBilling.waitForURL('**/admin/billing');
  await assistantEarnings.waitForURL('**/assistant/earnings');
  await adminBilling.getByRole('heading', { level: 1 }).waitFor();
  await assistantEarnings.getByRole('heading', { level: 1 }).waitFor();

  return {
    async expectEntriesFor(taskId: string) {
      let entries: LedgerEntryView[] = [];
      await until(
        'a charge and a payout recorded for the on-time return',
        async () => {
          entries = (await billingEntries(admin, `?limit=200`)).filter((e) => e.taskId === taskId);
          return entries.map((e) => e.kind).sort();
        },
        ['charge', 'payout'],
      );
      const charge = entries.find((e) => e.kind === 'charge')!;
      const payout = entries.find((e) => e.kind === 'payout')!;
      const navsBefore = { admin: adminNav.loads(), assistant: assistantNav.loads() };
      await expectCount(adminBilling.getByTestId(`entry-row-${charge.id}`), 1, 'admin billing shows the charge');
      await expectCount(adminBilling.getByTestId(`entry-row-${payout.id}`), 1, 'admin billing shows the payout');
      await expectCount(assistantEarnings.getByTestId(`entry-row-${payout.id}`), 1, 'assistant earnings show the payout');
      // The assistant sees its own payout, never the client's charge.
      await expectCount(assistantEarnings.getByTestId(`entry-row-${charge.id}`), 0, 'assistant earnings without the charge');
      await screenshot(adminBilling, 'live-flow--admin-billing');
      await screenshot(assistantEarnings, 'live-flow--assistant-earnings');
      expect({ admin: adminNav.loads(), assistant: assistantNav.loads() }).toEqual(navsBefore);
    },
  };
}
