import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { ARTIFACTS_DIR, BASE_URL_VAR } from './env.mjs';

// The system's Chromium (Debian's `chromium` package); nothing is downloaded.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export function baseUrl(): string {
  const url = process.env[BASE_URL_VAR];
  if (!url) throw new Error(`${BASE_URL_VAR} is not set: run the browser tests through jest (npm test -w @handoff/e2e), whose global setup starts the app`);
  return url;
}

/** The URL of a path in the app under test. */
export function urlOf(path: string): string {
  return new URL(path, baseUrl()).toString();
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 120) || 'page';
}

/**
 * The form control labelled `label`. Matches the whole label, so "Name" does
 * not also find "Organization name", and tolerates the " *" that marks a
 * required field.
 */
export function field(page: Page, label: string): Locator {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.getByLabel(new RegExp(`^\\s*${escaped}[\\s*]*$`, 'i'));
}

/** Save a full-page PNG under e2e/artifacts/ and return its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = resolve(ARTIFACTS_DIR, `${fileSafe(name)}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Where a person sits (their time zone) and what they hold (a phone's viewport). */
export interface PersonOptions {
  timezoneId?: string;
  viewport?: { width: number; height: number };
}

export interface BrowserSession {
  /** The page of the current test, in a context no other test has touched. */
  readonly page: Page;
  readonly context: BrowserContext;
  /** A screenshot named after the current test and `step`. */
  snap(step: string): Promise<string>;
  /**
   * Another context (a second person) for the current test, isolated from the
   * first like a separate browser; closed, after an end screenshot, with the test.
   */
  newPerson(label: string, options?: PersonOptions): Promise<Page>;
}

/**
 * Call once at the top of a test file: one browser for the file, a fresh
 * context (cookies, storage) per test, and a screenshot of where each test
 * ended, named after it, so a failure can be looked at.
 */
export function useBrowser(): BrowserSession {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let others: { label: string; context: BrowserContext; page: Page }[] = [];
  // Shortened here, not in screenshot(), so the step suffix survives and one person's shot never overwrites another's.
  const testName = () => fileSafe(expect.getState().currentTestName ?? 'test').slice(0, 90);

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  const open = async (options: PersonOptions = {}) => {
    if (!browser) throw new Error('the browser did not start');
    // A fixed locale, so dates and money read the same whatever the machine's LANG.
    const ctx = await browser.newContext({ baseURL: baseUrl(), viewport: { width: 1280, height: 800 }, locale: 'en-US', ...options });
    ctx.setDefaultTimeout(15_000);
    return { context: ctx, page: await ctx.newPage() };
  };

  beforeEach(async () => {
    ({ context, page } = await open());
  });
  afterEach(async () => {
    if (page && !page.isClosed()) await screenshot(page, `${testName()}--end`).catch(() => undefined);
    for (const other of others) {
      if (!other.page.isClosed()) await screenshot(other.page, `${testName()}--${other.label}-end`).catch(() => undefined);
      await other.context.close();
    }
    others = [];
    await context?.close();
    context = undefined;
    page = undefined;
  });

  return {
    get page() {
      if (!page) throw new Error('no page outside a test');
      return page;
    },
    get context() {
      if (!context) throw new Error('no browser context outside a test');
      return context;
    },
    snap(step: string) {
      if (!page) throw new Error('no page outside a test');
      return screenshot(page, `${testName()}--${step}`);
    },
    async newPerson(label: string, options?: PersonOptions) {
      const other = await open(options);
      others.push({ label, ...other });
      return other.page;
    },
  };
}
