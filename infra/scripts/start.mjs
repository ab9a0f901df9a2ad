#!/usr/bin/env node
// `npm start`: from a fresh clone to a serving Handoff in one command.
//   install (only when needed) → PostgreSQL and Redis → build (turbo, cached)
//   → create/migrate/seed the database → serve in the foreground.
// `npm run worker` (= `--role worker`) runs the BullMQ workers on their own.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkNode, ensureGeneratedSecrets, ensureInstalled, ensureJwtSecret, fail, loadDotEnv, log, REPO_ROOT, run, seconds } from './lib.mjs';
import { ensureServices, probe, ServicesError } from './services.mjs';
import { startMailCatcher } from './mail-catcher.mjs';

const HEALTH_WAIT_MS = 60_000;
const CLI = join(REPO_ROOT, 'apps/api/dist/database/cli.js');
const MAIN = join(REPO_ROOT, 'apps/api/dist/main.js');

function parseArgs(argv) {
  const opts = { role: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--role') opts.role = argv[++i];
    else if (a.startsWith('--role=')) opts.role = a.slice('--role='.length);
    else fail(`unknown option ${a} (use --role all|api|worker)`);
  }
  if (opts.role !== undefined && !['all', 'api', 'worker'].includes(opts.role)) fail(`--role must be all, api or worker (got "${opts.role}")`);
  return opts;
}

/** Run the database CLI, echoing its output and keeping it so the demo logins can be shown again later. */
function runCli(command) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, command], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`database ${command} failed (exit code ${code})`))));
  });
}

function demoLogins(cliOutput) {
  const at = cliOutput.indexOf('Demo logins:');
  return at < 0 ? '' : cliOutput.slice(at).trim();
}

/** Where to ask for /api/health: the address the server binds to (HOST, 127.0.0.1 by default), loopback when it binds to all. */
function probeHost(host) {
  if (!host || host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

async function waitForHealth(url, server) {
  const deadline = Date.now() + HEALTH_WAIT_MS;
  while (Date.now() < deadline && server.exitCode === null && server.signalCode === null) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

/**
 * Serve in the foreground. The server gets its own process group so that a
 * Ctrl-C (which the terminal sends to the whole group, and npm forwards once
 * more) reaches it exactly once, through us: a second SIGINT would cut
 * Nest's graceful shutdown short.
 */
function serve(role) {
  const server = spawn(process.execPath, [MAIN], { cwd: REPO_ROOT, stdio: 'inherit', detached: process.platform !== 'win32' });
  let signals = 0;
  const forward = (signal) => {
    signals += 1;
    if (signals === 1) {
      log(`stopping (${signal}) ...`);
      server.kill(signal);
    } else if (signals >= 3) {
      log('stopping now (forced)');
      server.kill('SIGKILL');
    }
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => forward(s));
  // If this script dies another way, don't leave an orphaned server holding the port.
  process.on('exit', () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
  });
  server.once('exit', (code, signal) => {
    process.exitCode = code ?? (signal && signals ? 0 : 1);
    if (code && !signals) log(`the ${role === 'worker' ? 'worker' : 'server'} exited with code ${code}`);
  });
  return server;
}

async function main() {
  const started = Date.now();
  checkNode();
  loadDotEnv();
  const opts = parseArgs(process.argv.slice(2));
  ensureJwtSecret();
  ensureGeneratedSecrets();
  if (opts.role) process.env.HANDOFF_ROLE = opts.role;
  const role = process.env.HANDOFF_ROLE || 'all';
  const port = process.env.PORT || '3000';
  // Checked first, to fail before a long install. Otherwise another server's /api/health would pass for ours while ours dies on EADDRINUSE.
  if (role !== 'worker' && (await probe('127.0.0.1', Number(port)))) {
    fail(`port ${port} is already in use (another Handoff still running?). Stop it, or choose another port: PORT=3001 npm start`);
  }

  await ensureInstalled();
  await ensureServices({ log });

  log('building (turbo, cached) ...');
  const buildStarted = Date.now();
  await run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], { what: 'build' });
  log(`built in ${seconds(buildStarted)}`);
  if (!existsSync(CLI) || !existsSync(MAIN)) fail('the build did not produce apps/api/dist; run `npx turbo run build` to see why');

  // Demo data is for trying Handoff out; a worker only needs the schema.
  const cliOutput = await runCli(role === 'worker' ? 'migrate' : 'demo');
  const logins = demoLogins(cliOutput);

  // Mail for the default address lands in a local catcher; a configured SMTP server gets it instead.
  const catcher = !process.env.SMTP_URL && role !== 'api' ? await startMailCatcher().catch(() => null) : null;
  const server = serve(role);
  if (role === 'worker') {
    log(`worker started (HANDOFF_ROLE=worker) in ${seconds(started)}; Ctrl-C stops it`);
    return;
  }
  if (await waitForHealth(`http://${probeHost(process.env.HOST)}:${port}/api/health`, server)) {
    const url = process.env.PUBLIC_URL || `http://localhost:${port}`;
    console.log(`\n  Handoff is ready at ${url}  (API under ${url}/api, docs at ${url}/api/docs)  in ${seconds(started)}\n`);
    if (logins) console.log(`${logins.split('\n').map((l) => `  ${l}`).join('\n')}\n`);
    if (catcher) console.log(`  Mail it sends (address checks, password resets, reminders) is caught at ${catcher.pageUrl}\n`);
    console.log('  Ctrl-C stops it.\n');
  } else if (server.exitCode === null && server.signalCode === null) {
    log(`the server did not answer /api/health within ${HEALTH_WAIT_MS / 1000} s; it keeps running, see its log above`);
  }
}

main().catch((e) => fail(e instanceof ServicesError ? e.message : (e?.message ?? String(e))));
