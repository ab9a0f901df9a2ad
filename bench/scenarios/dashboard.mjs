// 8. Dashboard first load: JavaScript shipped to the sign-in page (gzip) and time
//    to interactive in headless Chromium, served by the built API like production.
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { benchPrefix, createBenchDb, startApi, WEB_DIST } from '../lib/harness.mjs';
import { median } from '../lib/load.mjs';
import { row, unavailable } from '../lib/report.mjs';

export const name = 'dashboard';
const CHROMIUM = process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium';
const LOADS = 5;
const JS_ROW = 'dashboard first load: JS shipped (gzip)';
const TTI_ROW = 'dashboard first load: time to interactive';

// Installed before any page script: records long tasks and the moment the sign-in form can take input.
const PROBE = `
  window.__bench = { longTaskEnd: 0, formReady: null };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longTaskEnd = Math.max(window.__bench.longTaskEnd, e.startTime + e.duration);
  }).observe({ type: 'longtask', buffered: true });
  const check = () => {
    const input = document.querySelector('form[aria-label="Sign in"] input[type="email"]');
    if (input && !input.disabled && window.__bench.formReady === null) window.__bench.formReady = performance.now();
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
`;

/** Scripts index.html names (entry and module preloads): what every first visit downloads before anything renders. */
function referencedScripts(html) {
  const out = new Set();
  for (const m of html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)) out.add(m[1]);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) out.add(m[1]);
  for (const m of html.matchAll(/<link[^>]*href="([^"]+)"[^>]*rel="modulepreload"/g)) out.add(m[1]);
  return out;
}

const gzipKb = (path) => gzipSync(readFileSync(`${WEB_DIST}${path}`)).length / 1024;

export async function run() {
  if (!existsSync(`${WEB_DIST}/index.html`)) {
    return [unavailable(JS_ROW, 'KB', '< 300 KB', 'skipped: apps/web/dist is not built'), unavailable(TTI_ROW, 'ms', '< 1500 ms', 'skipped: apps/web/dist is not built')];
  }
  const skipTti = !existsSync(CHROMIUM) ? `skipped: no Chromium at ${CHROMIUM} (set BENCH_CHROMIUM)` : null;
  let chromium;
  if (!skipTti) ({ chromium } = await import('playwright-core'));

  const db = await createBenchDb();
  const { prefix, purge } = benchPrefix();
  const api = await startApi({ db, prefix, env: { SERVE_WEB: 'true' } });
  let browser;
  try {
    const html = readFileSync(`${WEB_DIST}/index.html`, 'utf8');
    const scripts = referencedScripts(html);
    const tti = [];
    if (!skipTti) {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
      for (let i = 0; i <= LOADS; i++) {
        // A new context each time: an empty cache, like a first visit.
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.addInitScript(PROBE);
        page.on('response', (res) => {
          const u = new URL(res.url());
          if (res.request().resourceType() === 'script' && u.origin === api.url) scripts.add(u.pathname);
        });
        await page.goto(`${api.url}/sign-in`, { waitUntil: 'load' });
        await page.waitForSelector('form[aria-label="Sign in"] input[type="email"]', { timeout: 15_000 });
        // A quiet half second after the form appears, so trailing long tasks are seen.
        await page.waitForTimeout(500);
        const m = await page.evaluate(() => window.__bench);
        if (i > 0) tti.push(Math.max(m.formReady ?? Infinity, m.longTaskEnd));
        await context.close();
      }
      console.log(`  dashboard: time to interactive ${tti.map((x) => x.toFixed(0)).join(', ')} ms`);
    }
    const files = [...scripts].filter((p) => existsSync(`${WEB_DIST}${p}`));
    const kb = files.reduce((a, p) => a + gzipKb(p), 0);
    console.log(`  dashboard: sign-in page loads ${files.map((p) => `${p.split('/').pop()} ${gzipKb(p).toFixed(0)} KB`).join(', ')} (gzip)`);
    return [
      row({ scenario: JS_ROW, unit: 'KB', value: kb, target: '< 300 KB', check: ({ value }) => value < 300, note: `gzip (zlib default level) of ${files.length} script(s) the sign-in page loads` }),
      skipTti
        ? unavailable(TTI_ROW, 'ms', '< 1500 ms', skipTti)
        : row({
            scenario: TTI_ROW,
            unit: 'ms',
            value: median(tti),
            target: '< 1500 ms',
            check: ({ value }) => value < 1500,
            note: 'median of 5 cold loads over loopback: the later of the sign-in form taking input and the last long task ending',
            samples: { scenario: tti },
          }),
    ];
  } finally {
    await browser?.close();
    await api.stop();
    await db.drop();
    await purge();
  }
}
