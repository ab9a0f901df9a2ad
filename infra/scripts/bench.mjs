#!/usr/bin/env node
// `npm run bench`: build what the scenarios start (the API and the dashboard,
// turbo-cached so an unchanged tree costs seconds), make sure PostgreSQL and
// Redis answer, then run the bench workspace. Arguments pass through:
//   npm run bench -- --only submit,claim --pairs 3
//   npm run bench -- --no-build      (bench the dist already on disk)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkNode, ensureInstalled, fail, loadDotEnv, log, REPO_ROOT, run, seconds } from './lib.mjs';
import { ensureServices, ServicesError } from './services.mjs';

const args = process.argv.slice(2);
const noBuild = args.includes('--no-build');
const passThrough = args.filter((a) => a !== '--no-build');

async function main() {
  checkNode();
  loadDotEnv();
  await ensureInstalled();
  try {
    await ensureServices({ log });
  } catch (e) {
    if (e instanceof ServicesError) fail(e.message);
    throw e;
  }
  if (!noBuild) {
    const t = Date.now();
    log('building the API and the dashboard (turbo, cached) ...');
    // A stale dist would bench yesterday's code, so a failed build stops the bench.
    await run('npx', ['turbo', 'run', 'build', '--filter=@handoff/api', '--filter=@handoff/web', '--output-logs=errors-only'], { what: 'build' });
    log(`built in ${seconds(t)}`);
  }
  if (!existsSync(join(REPO_ROOT, 'apps/api/dist/main.js'))) fail('apps/api/dist is missing; run `npm run bench` without --no-build');
  await run('npm', ['run', 'bench', '--silent', '-w', '@handoff/bench', '--', ...passThrough], { what: 'bench' });
}

main().catch((e) => fail(e instanceof Error ? e.message : String(e)));
