import type { TaskView } from '@handoff/contracts';
import type { Locator, Page } from 'playwright-core';
import { seriousFindings } from '../support/axe.js';
import { field, useBrowser } from '../support/browser.js';
import { rememberAdminDevice } from '../support/two-factor.js';
import { ADMIN, act, call, registerAssistant, registerClient, signInAdmin, submitTask, uniqueId, type Person } from '../support/api.js';
import { until, watchLiveSocket } from '../support/live.js';

// Every page of every role, as a person would meet it: axe-core finds nothing
// critical or serious on any of them, at desktop size and on a phone; on a
// phone every task list shows each task's title, status, deadline, price and
// action without sideways scrolling; a mistyped address in any area says so.

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

interface World {
  client: Person;
  assistant: Person;
  admin: Person;
  queued: TaskView;
  claimed: TaskView;
  inProgress: TaskView;
  returned: TaskView;
  accepted: TaskView;
  /** A starter template, whose process page every client can open. */
  starterId: string;
}

async function returnTask(assistant: Person, taskId: string): Promise<TaskView> {
  return call<TaskView>('POST', `/tasks/${taskId}/return`, { token: assistant.token, body: { result: 'Done: every line entered and checked twice.' } });
}

/** One organization's work in every state that has a page of its own, set up over HTTP. */
async function buildWorld(): Promise<World> {
  const client = await registerClient('Pages Client');
  const assistant = await registerAssistant('Pages Assistant', ['data_entry']);
  const admin = await signInAdmin();
  const id = uniqueId();
  const task = (what: string) => submitTask(client, { title: `${what} the supplier invoices ${id}`, category: 'data_entry' });
  const accepted = await task('Accepted: enter');
  for (const action of ['claim', 'start'] as const) await act(assistant, accepted.id, action);
  await returnTask(assistant, accepted.id);
  await act(client, accepted.id, 'accept');
  const returned = await task('Returned: enter');
  for (const action of ['claim', 'start'] as const) await act(assistant, returned.id, action);
  await returnTask(assistant, returned.id);
  const inProgress = await task('In progress: enter');
  for (const action of ['claim', 'start'] as const) await act(assistant, inProgress.id, action);
  const claimed = await task('Claimed: enter');
  await act(assistant, claimed.id, 'claim');
  const queued = await task('Queued: enter');
  const starterId = (await call<{ items: { id: string }[] }>('GET', '/templates?scope=starter&limit=1', { token: client.token })).items[0]!.id;
  return { client, assistant, admin, queued, claimed, inProgress, returned, accepted, starterId };
}

type Role = 'public' | 'client' | 'assistant' | 'admin';

interface PageCase {
  path: string;
  /** What shows once the page has its data. */
  ready: (page: Page) => Locator;
}

function pagesOf(role: Role, w: World): PageCase[] {
  const heading = (name: string) => (page: Page) => page.getByRole('heading', { name, exact: true });
  const testId = (id: string) => (page: Page) => page.getByTestId(id).first();
  switch (role) {
    case 'public':
      return [
        { path: '/sign-in', ready: (p) => p.getByRole('button', { name: 'Sign in' }) },
        { path: '/register', ready: (p) => p.getByRole('button', { name: 'Create account' }) },
      ];
    case 'client':
      return [
        { path: '/client/tasks', ready: testId(`task-row-${w.queued.id}`) },
        { path: '/client/tasks/new', ready: (p) => field(p, 'Title') },
        { path: `/client/tasks/${w.returned.id}`, ready: testId('task-result') },
        { path: '/client/statement', ready: testId('statement-total-USD') },
        { path: '/client/templates', ready: testId(`template-row-${w.starterId}`) },
        { path: `/client/templates/${w.starterId}`, ready: testId('spend-this-month') },
        { path: '/client/typo', ready: heading('Page not found') },
      ];
    case 'assistant':
      return [
        { path: '/assistant/board', ready: testId(`task-row-${w.queued.id}`) },
        { path: '/assistant/tasks', ready: testId(`task-row-${w.inProgress.id}`) },
        { path: `/assistant/tasks/${w.inProgress.id}`, ready: heading(w.inProgress.title) },
        { path: '/assistant/earnings', ready: testId('earnings-total-USD') },
        { path: '/assistant/boards', ready: heading('Page not found') },
      ];
    case 'admin':
      return [
        { path: '/admin/queue', ready: testId('state-count-queued') },
        { path: '/admin/tasks', ready: testId(`task-row-${w.queued.id}`) },
        { path: `/admin/tasks/${w.accepted.id}`, ready: heading(w.accepted.title) },
        { path: '/admin/people', ready: testId(`user-row-${w.client.user.id}`) },
        { path: '/admin/rate-card', ready: testId('rate-row-data_entry') },
        { path: '/admin/billing', ready: testId(`summary-row-${w.client.user.organizationId}`) },
        { path: '/admin/nope', ready: heading('Page not found') },
      ];
  }
}

function personOf(role: Exclude<Role, 'public'>, w: World): Pick<Person, 'email' | 'password'> {
  return role === 'admin' ? ADMIN : role === 'client' ? w.client : w.assistant;
}

const HOME: Record<Exclude<Role, 'public'>, string> = { client: '/client/tasks', assistant: '/assistant/board', admin: '/admin/queue' };

/** Sign in through the form; on a phone the header hides the name, so wait for it in the page, not on screen. */
async function signInAs(page: Page, person: Pick<Person, 'email' | 'password'>, home: string): Promise<void> {
  if (person.email === ADMIN.email) await rememberAdminDevice(page, person);
  await page.goto('/sign-in');
  await field(page, 'Email').fill(person.email);
  await field(page, 'Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`**${home}`);
  await page.getByTestId('user-name').waitFor({ state: 'attached' });
}

/** The page has its data and no spinner is left. */
async function settled(page: Page, c: PageCase): Promise<void> {
  await c.ready(page).waitFor();
  await until(`${c.path}: spinners gone`, () => page.locator('[role="status"][aria-label^="Loading"]').count(), 0);
}

/** Horizontal overflow of the document and of every box from `locator` up to <main>: [what, scrollWidth, clientWidth] where it scrolls sideways. */
function sidewaysScrolling(locator: Locator): Promise<[string, number, number][]> {
  return locator.evaluate((list) => {
    const out: [string, number, number][] = [];
    for (let el: Element | null = list; el && el.tagName !== 'MAIN'; el = el.parentElement) {
      if (el.scrollWidth > el.clientWidth) out.push([`${el.tagName.toLowerCase()}.${el.className}`, el.scrollWidth, el.clientWidth]);
    }
    const doc = document.scrollingElement!;
    if (doc.scrollWidth > doc.clientWidth) out.push(['document', doc.scrollWidth, doc.clientWidth]);
    return out;
  });
}

/** The parts of each row that lie outside the viewport, or are missing. */
async function rowsOffScreen(page: Page, list: Locator, action: (row: Locator) => Locator): Promise<string[]> {
  const width = page.viewportSize()!.width;
  const rows = list.getByTestId(/^task-row-/);
  const problems: string[] = [];
  const count = await rows.count();
  if (count === 0) problems.push('no rows');
  for (let i = 0; i < Math.min(count, 8); i++) {
    const row = rows.nth(i);
    const parts: [string, Locator][] = [
      ['title', row.getByTestId('task-title')],
      ['status', row.getByTestId('task-status')],
      ['deadline', row.getByTestId('task-deadline')],
      ['price', row.getByTestId('task-price')],
      ['action', action(row)],
    ];
    for (const [name, part] of parts) {
      const box = (await part.count()) === 1 && (await part.isVisible()) ? await part.boundingBox() : null;
      if (!box) problems.push(`row ${i}: no visible ${name}`);
      else if (box.x < 0 || box.x + box.width > width + 0.5) problems.push(`row ${i}: ${name} at ${Math.round(box.x)}..${Math.round(box.x + box.width)} of ${width}`);
    }
  }
  return problems;
}

describe('every page, as each role', () => {
  const session = useBrowser();
  let world: World;

  beforeAll(async () => {
    world = await buildWorld();
  });

  describe.each([
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const)('at %s size', (size, viewport) => {
    it.each(['public', 'client', 'assistant', 'admin'] as const)('as %s: axe-core finds nothing critical or serious on any page', async (role) => {
      const page = await session.newPerson(`${role}-${size}`, { viewport });
      if (role !== 'public') await signInAs(page, personOf(role, world), HOME[role]);
      const found: Record<string, string[]> = {};
      for (const c of pagesOf(role, world)) {
        await page.goto(c.path);
        await settled(page, c);
        const findings = await seriousFindings(page);
        if (findings.length) found[c.path] = findings;
      }
      expect(found).toEqual({});
    });
  });

  it('names the close button of a live toast, which axe-core then passes', async () => {
    const page = session.page;
    const live = watchLiveSocket(page);
    await signInAs(page, world.client, HOME.client);
    await until('live socket up', async () => live.open() > 0, true);
    const extra = await submitTask(world.client, { title: `Toast: file the receipts ${uniqueId()}`, category: 'data_entry' });
    // The assistant holds two of three slots; this claim takes the last and shows the client a toast.
    await act(world.assistant, extra.id, 'claim');
    await page.getByText('Task claimed').waitFor();
    expect(await seriousFindings(page)).toEqual([]);
    expect(await page.getByRole('button', { name: 'Dismiss notification' }).count()).toBeGreaterThan(0);
    await act(world.assistant, extra.id, 'release');
  });

  describe('on a 390 × 844 phone, every task list fits the screen', () => {
    const cases: [string, Exclude<Role, 'public'>, string, string, (row: Locator) => Locator][] = [
      ['the client’s tasks', 'client', '/client/tasks', "Your organization's tasks", (row) => row.getByTestId('task-title')],
      ['the assistant’s board', 'assistant', '/assistant/board', 'Available tasks', (row) => row.getByRole('button', { name: 'Claim' })],
      ['the assistant’s own tasks', 'assistant', '/assistant/tasks', 'My tasks', (row) =>
        row.getByRole('button', { name: 'Start' }).or(row.getByRole('link', { name: 'Return…' })).or(row.getByRole('link', { name: 'Open' })),
      ],
      ['every task, for the admin', 'admin', '/admin/tasks', 'All tasks', (row) => row.getByTestId('task-title')],
    ];
    it.each(cases)('%s: title, status, deadline, price and action in view, nothing scrolls sideways', async (_what, role, path, caption, action) => {
      const page = await session.newPerson(`${role}-phone-list`, { viewport: PHONE });
      await signInAs(page, personOf(role, world), HOME[role]);
      await page.goto(path);
      const list = page.getByRole('list', { name: caption });
      await list.getByTestId(/^task-row-/).first().waitFor();
      expect(await rowsOffScreen(page, list, action)).toEqual([]);
      expect(await sidewaysScrolling(list)).toEqual([]);
    });
  });

  it.each([
    ['client', '/client/statement', /^Statement lines/],
    ['assistant', '/assistant/earnings', /^Payouts$/],
  ] as const)('on a phone, the %s’s ledger lines (%s) stack instead of scrolling sideways', async (role, path, name) => {
    const page = await session.newPerson(`${role}-phone-ledger`, { viewport: PHONE });
    await signInAs(page, personOf(role, world), HOME[role]);
    await page.goto(path);
    const list = page.getByRole('list', { name });
    await list.getByTestId(/^entry-row-/).first().waitFor();
    expect(await sidewaysScrolling(list)).toEqual([]);
  });

  it.each(['client', 'assistant', 'admin'] as const)('as %s, a mistyped address shows Page not found and leads home', async (role) => {
    const page = session.page;
    await signInAs(page, personOf(role, world), HOME[role]);
    const typo = { client: '/client/typo', assistant: '/assistant/boards', admin: '/admin/nope' }[role];
    await page.goto(typo);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    // Still where the person typed, inside the area's layout (the old catch-all redirected without end and froze the tab).
    expect(new URL(page.url()).pathname).toBe(typo);
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    await page.getByRole('link', { name: 'Go to your dashboard' }).click();
    await page.waitForURL(`**${HOME[role]}`);
  });
});
