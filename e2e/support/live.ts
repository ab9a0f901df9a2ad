import type { Locator, Page, WebSocket } from 'playwright-core';
import { field } from './browser.js';
import { ADMIN, type Person } from './api.js';
import { rememberAdminDevice } from './two-factor.js';

/** Generous on purpose: the suite shares a small, busy machine. Conditions are polled, never slept on. */
export const LIVE_TIMEOUT_MS = 15_000;

/** Poll `probe` until it answers `expected` (compared as JSON); fail with the last answer seen. */
export async function until<T>(what: string, probe: () => Promise<T>, expected: T, timeoutMs = LIVE_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const want = JSON.stringify(expected);
  let last: string | undefined;
  let lastError: unknown;
  for (let wait = 50; ; wait = Math.min(wait * 2, 500)) {
    try {
      last = JSON.stringify(await probe());
      if (last === want) return;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const seen = last === undefined ? `nothing (${String(lastError)})` : last;
      throw new Error(`${what}: expected ${want} within ${timeoutMs / 1000} s, last saw ${seen}`);
    }
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** Wait until the locator's attribute reads `value`, polling the live DOM. */
export function expectAttribute(locator: Locator, name: string, value: string, what?: string): Promise<void> {
  return until(what ?? `${locator.toString()} [${name}]`, () => locator.getAttribute(name, { timeout: 1_000 }).catch(() => null), value);
}

/** Wait until the locator's trimmed text reads `value`. */
export function expectText(locator: Locator, value: string, what?: string): Promise<void> {
  return until(what ?? `${locator.toString()} text`, async () => ((await locator.textContent({ timeout: 1_000 }).catch(() => null)) ?? '').trim(), value);
}

/** Wait until the locator matches exactly `count` elements. */
export function expectCount(locator: Locator, count: number, what?: string): Promise<void> {
  return until(what ?? `${locator.toString()} count`, () => locator.count(), count);
}

/** The status badge inside a task's row, as the dashboard renders it. */
export function rowStatus(page: Page, taskId: string): Locator {
  return page.getByTestId(`task-row-${taskId}`).getByTestId('task-status');
}

export function expectRowStatus(page: Page, taskId: string, status: string, who: string): Promise<void> {
  return expectAttribute(rowStatus(page, taskId), 'data-status', status, `${who}'s row for task ${taskId}`);
}

/** Sign in through the form and wait for the role's home. */
export async function signIn(page: Page, person: Pick<Person, 'email' | 'password'>, home: string): Promise<void> {
  // The admin has a second factor; its remembered device lets the form go straight through, as on the admin's own browser.
  if (person.email === ADMIN.email) await rememberAdminDevice(page, person);
  await page.goto('/sign-in');
  await field(page, 'Email').fill(person.email);
  await field(page, 'Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`**${home}`);
  await page.getByTestId('user-name').waitFor();
}

/**
 * Counts what happens to a page's document: `loads` are whole-document loads
 * (a reload or a hard navigation), `navigations` every main-frame navigation,
 * in-app route changes included. A live update must change neither.
 */
export function watchNavigation(page: Page): { loads: () => number; navigations: () => number } {
  let loads = 0;
  let navigations = 0;
  page.on('load', () => (loads += 1));
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations += 1;
  });
  return { loads: () => loads, navigations: () => navigations };
}

/**
 * Watches the page's Socket.IO WebSockets: how many have come up (Socket.IO
 * starts on HTTP long-polling and upgrades, so "up" is the upgrade probe's
 * answer or a connect packet, whichever comes first) and how many of those
 * are still open, so a test can wait for the live link to be up or down.
 */
export function watchLiveSocket(page: Page): { connects: () => number; open: () => number } {
  let connects = 0;
  const open = new Set<WebSocket>();
  page.on('websocket', (ws) => {
    if (!ws.url().includes('/socket.io/')) return;
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload === 'string' && (payload === '3probe' || payload.startsWith('40')) && !open.has(ws)) {
        open.add(ws);
        connects += 1;
      }
    });
    ws.on('close', () => open.delete(ws));
  });
  return { connects: () => connects, open: () => open.size };
}
