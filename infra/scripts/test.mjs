#!/usr/bin/env node
// `npm test`: everything CI checks, on any machine with Node, PostgreSQL and
// Redis (or Docker) and Chromium.
//   install (only when needed) → services → Chromium → build
//   → lint, typecheck, unit and API e2e tests in every workspace (turbo, cached)
//   → fault tests (apps/api/test/faults: killed workers, Redis and PostgreSQL outages, killed API instances)
//   → browser tests (e2e/, against the built app on a fresh database).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkNode, ensureInstalled, fail, loadDotEnv, log, REPO_ROOT, run, seconds } from './lib.mjs';
import { ensureServices, ServicesError } from './services.mjs';

const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Chromium for the browser tests: CHROMIUM_PATH, or Debian's package (installed here when we are root on Debian). */
function ensureChromium() {
  const path = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  if (existsSync(path)) return path;
  if (process.env.CHROMIUM_PATH) throw new Error(`CHROMIUM_PATH is ${path}, which does not exist`);
  const debianRoot = existsSync('/etc/debian_version') && process.getuid?.() === 0;
  if (!debianRoot) {
    throw new Error(
      `the browser tests need Chromium at ${DEFAULT_CHROMIUM}. Install the Debian package \`chromium\` ` +
        '(`sudo apt-get install chromium`), or set CHROMIUM_PATH to a Chromium or Chrome binary.',
    );
  }
  log('installing Chromium for the browser tests: apt-get install chromium');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const opts = { stdio: 'inherit', env, timeout: 600_000 };
  if (spawnSync('apt-get', ['update'], opts).status !== 0 || spawnSync('apt-get', ['install', '-y', 'chromium'], opts).status !== 0) {
    throw new Error('apt-get install chromium failed; install the Debian package `chromium` by hand, or set CHROMIUM_PATH');
  }
  if (!existsSync(DEFAULT_CHROMIUM)) throw new Error(`apt-get installed chromium but ${DEFAULT_CHROMIUM} is still missing`);
  return DEFAULT_CHROMIUM;
}

// Listed explicitly: `node --test <dir>` means different things on Node 20 and 22.
function infraTests() {
  const dir = join(REPO_ROOT, 'infra/tests');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.test.mjs'))
    .map((f) => join('infra/tests', f));
}

async function main() {
  const started = Date.now();
  checkNode();
  loadDotEnv();
  await ensureInstalled();
  await ensureServices({ log });
  process.env.CHROMIUM_PATH = ensureChromium();

  const steps = [
    ['build', ['npx', ['turbo', 'run', 'build']]],
    // .env.example against the built config schema, and the service bootstrap.
    ['infra checks', [process.execPath, ['--test', ...infraTests()]]],
    // e2e's own `test` is the browser suite: it runs last, uncached, against the fresh build.
    ['lint, typecheck, unit + API tests', ['npx', ['turbo', 'run', 'lint', 'typecheck', 'test', '--continue', '--filter=!@handoff/e2e']]],
    // Kills and restarts processes and its own redis-server against the built API: apart from
    // the e2e suite, so its timings are not blurred by parallel test files.
    ['fault tests', ['npm', ['run', 'test:faults', '-w', '@handoff/api']]],
    ['e2e lint + typecheck', ['npx', ['turbo', 'run', 'lint', 'typecheck', '--filter=@handoff/e2e']]],
    ['browser tests', ['npm', ['test', '-w', '@handoff/e2e']]],
  ];
  const results = [];
  for (const [name, [command, args]] of steps) {
    // Nothing after a failed build can say anything useful.
    if (results[0]?.ok === false) {
      results.push({ name, ok: false, skipped: true });
      continue;
    }
    const stepStarted = Date.now();
    log(`${name} ...`);
    try {
      await run(command, args, { what: name, keepOutput: true });
      results.push({ name, ok: true, time: seconds(stepStarted) });
    } catch (e) {
      log(e.message);
      results.push({ name, ok: false, time: seconds(stepStarted), digest: e.digest ?? [] });
    }
  }

  console.log('');
  for (const r of results) console.log(`  ${r.ok ? 'ok    ' : r.skipped ? 'skip  ' : 'FAILED'}  ${r.name}${r.time ? ` (${r.time})` : ''}`);
  for (const r of results.filter((r) => r.digest?.length)) {
    console.log(`\n  what failed in ${r.name}:`);
    for (const line of r.digest) console.log(`    ${line}`);
  }
  const passed = results.filter((r) => r.ok).length;
  // Counts steps, not test cases: each runner printed its own counts above.
  console.log(`\nsteps: ${passed} passed, ${results.length - passed} failed`);
  console.log(`npm test ${passed === results.length ? 'passed' : 'FAILED'} in ${seconds(started)}`);
  process.exitCode = passed === results.length ? 0 : 1;
}

main().catch((e) => fail(e instanceof ServicesError ? e.message : (e?.message ?? String(e))));
