#!/usr/bin/env node
// `npm run simulate`: drive a running Handoff with simulated clients and
// assistants, so the dashboard comes alive and load tests have a realistic mix.
//
//   npm run simulate -- --url http://localhost:3000 --clients 3 --assistants 6 \
//     --rate 1 --work 3s --duration 120s
//
// Clients submit tasks at --rate per second (all clients together) across the
// ten categories and priorities, accept what comes back (and ask for a
// revision one time in ten). Assistants go online, take the best task with
// claim-next, work on it for about --work and return it. Progress prints every
// two seconds; Ctrl-C (or --duration) stops it, and it prints a summary.
import { parseArgs } from 'node:util';

const CATEGORIES = [
  'customer_support', 'email_management', 'telemarketing', 'scheduling', 'data_entry',
  'bookkeeping', 'payroll', 'document_management', 'it_support', 'research',
];
const PRIORITIES = ['low', 'normal', 'normal', 'normal', 'high', 'urgent'];
const TITLES = {
  customer_support: 'Answer the weekend support inbox',
  email_management: 'Triage and file the shared mailbox',
  telemarketing: 'Call back last month’s leads',
  scheduling: 'Book next week’s appointments',
  data_entry: 'Enter this week’s invoices',
  bookkeeping: 'Reconcile the bank statement',
  payroll: 'Prepare the payroll run',
  document_management: 'Rename and file scanned contracts',
  it_support: 'Reset passwords and update the laptop inventory',
  research: 'Compare three suppliers for packaging',
};

const { values: opts } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.HANDOFF_URL ?? 'http://localhost:3000' },
    clients: { type: 'string', default: '3' },
    assistants: { type: 'string', default: '6' },
    rate: { type: 'string', default: '1' },
    work: { type: 'string', default: '3s' },
    duration: { type: 'string', default: '120s' },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log('usage: npm run simulate -- [--url U] [--clients N] [--assistants N] [--rate per-second] [--work 3s] [--duration 120s]');
  process.exit(0);
}

function duration(raw) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(raw);
  if (!m) throw new Error(`not a duration: ${raw}`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[m[2] ?? 's'];
}

const base = opts.url.replace(/\/$/, '');
const nClients = Number(opts.clients);
const nAssistants = Number(opts.assistants);
const rate = Number(opts.rate);
const workMs = duration(opts.work);
const endAt = Date.now() + duration(opts.duration);
const run = Date.now().toString(36);
const PASSWORD = 'simulated-user-2026';

const stats = { submitted: 0, claimed: 0, returned: 0, accepted: 0, revised: 0, errors: 0, claimWaits: [] };
let stopping = false;
process.on('SIGINT', () => (stopping = true));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const jitter = (ms) => ms * (0.5 + Math.random());
const pick = (list) => list[Math.floor(Math.random() * list.length)];

async function call(method, path, token, body) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  if (res.status >= 400 && res.status !== 409) {
    stats.errors++;
    throw new Error(`${method} ${path}: ${res.status} ${json?.message ?? text}`);
  }
  return { status: res.status, body: json };
}

async function register(role, i, extra) {
  const { body } = await call('POST', '/api/auth/register', undefined, {
    email: `sim-${role}-${run}-${i}@simulated.test`,
    password: PASSWORD,
    name: `Simulated ${role} ${i + 1}`,
    role,
    ...extra,
  });
  return body.accessToken;
}

async function clientLoop(token, share) {
  const interval = 1000 / share;
  const mine = new Set();
  while (!stopping && Date.now() < endAt) {
    const category = pick(CATEGORIES);
    const hours = 2 + Math.floor(Math.random() * 46);
    try {
      const { body } = await call('POST', '/api/tasks', token, {
        title: TITLES[category],
        instructions: 'Follow the standard operating procedure in the shared folder; note anything unusual in the result.',
        category,
        priority: pick(PRIORITIES),
        deadline: new Date(Date.now() + hours * 3_600_000).toISOString(),
      });
      mine.add(body.id);
      stats.submitted++;
    } catch (e) {
      console.error(String(e.message));
    }
    await reviewReturned(token);
    await sleep(jitter(interval));
  }
}

async function reviewReturned(token) {
  const { body } = await call('GET', '/api/tasks?status=returned&limit=50', token);
  for (const task of body.items) {
    if (Math.random() < 0.1 && !task.feedback) {
      await call('POST', `/api/tasks/${task.id}/revise`, token, { feedback: 'Please double-check the totals.' });
      stats.revised++;
    } else {
      const res = await call('POST', `/api/tasks/${task.id}/accept`, token);
      if (res.status === 200) stats.accepted++;
    }
  }
}

async function assistantLoop(token) {
  await call('PUT', '/api/assistants/me/availability', token, { online: true });
  while (!stopping && Date.now() < endAt) {
    try {
      // Revisions come back to the same assistant: finish those first.
      const { body: mine } = await call('GET', '/api/tasks?status=in_progress&limit=10', token);
      for (const task of mine.items) {
        await sleep(jitter(workMs));
        await call('POST', `/api/tasks/${task.id}/return`, token, { result: 'Revised as asked.' });
        stats.returned++;
      }
      const next = await call('POST', '/api/tasks/claim-next', token);
      if (next.status === 204 || next.status === 409) {
        await sleep(jitter(1000));
        continue;
      }
      stats.claimed++;
      stats.claimWaits.push(Date.now() - Date.parse(next.body.createdAt));
      await call('POST', `/api/tasks/${next.body.id}/start`, token);
      await sleep(jitter(workMs));
      await call('POST', `/api/tasks/${next.body.id}/return`, token, { result: 'Done per the procedure; nothing unusual.' });
      stats.returned++;
    } catch (e) {
      console.error(String(e.message));
      await sleep(1000);
    }
  }
  await call('PUT', '/api/assistants/me/availability', token, { online: false }).catch(() => undefined);
}

function percentile(list, p) {
  if (!list.length) return 0;
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function report(prefix) {
  const wait = stats.claimWaits;
  console.log(
    `${prefix} submitted ${stats.submitted}  claimed ${stats.claimed}  returned ${stats.returned}  accepted ${stats.accepted}` +
      `  revised ${stats.revised}  errors ${stats.errors}  wait-to-claim p50 ${(percentile(wait, 50) / 1000).toFixed(1)} s p95 ${(percentile(wait, 95) / 1000).toFixed(1)} s`,
  );
}

async function main() {
  const health = await fetch(`${base}/api/health`).catch(() => null);
  if (!health?.ok) {
    console.error(`Handoff is not answering at ${base}/api/health: start it with \`npm start\`, or pass --url.`);
    process.exit(1);
  }
  console.log(`simulating ${nClients} clients and ${nAssistants} assistants against ${base}: ${rate} task(s)/s, ~${workMs / 1000} s of work each`);
  const clients = [];
  for (let i = 0; i < nClients; i++) clients.push(await register('client', i, { organizationName: `Simulated Shop ${i + 1} (${run})` }));
  const assistants = [];
  for (let i = 0; i < nAssistants; i++) {
    // Rotating slices of the categories, so every category has someone.
    const skills = CATEGORIES.filter((_, k) => (k + i) % 3 !== 0);
    assistants.push(await register('assistant', i, { skills }));
  }
  console.log('signed up; watch it live at', base, '(admin: Queue; clients and assistants: sign in as a demo user)');
  const ticker = setInterval(() => report(`[${new Date().toLocaleTimeString()}]`), 2000);
  await Promise.all([...clients.map((c) => clientLoop(c, rate / nClients)), ...assistants.map((a) => assistantLoop(a))]);
  clearInterval(ticker);
  report('final:');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
