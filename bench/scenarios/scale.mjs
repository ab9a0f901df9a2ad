// 9. Scale: every read the dashboard makes, against a year of history at two
//    sizes in the same run (10,000 tasks and --scale-size, 1,000,000 by
//    default), each size seeded with SQL into its own migrated database and
//    served by its own API process. A read's growth is its median at the large
//    size ÷ its median at the small one; requests alternate between the two
//    sizes, so both medians come from the same minutes of the machine. The CSV
//    exports are also measured for the API's memory while it streams and
//    against COPY … TO STDOUT of the same rows.
//    Not in the default run (the large seed and the exports take minutes): `npm run bench -- --only scale`.
import http from 'node:http';
import copyStreams from 'pg-copy-streams';
import { benchPrefix, createBenchDb, login, rssMb, startApi } from '../lib/harness.mjs';
import { median } from '../lib/load.mjs';
import { row } from '../lib/report.mjs';
import { SCALE_PASSWORD, seedScale } from '../lib/scale-seed.mjs';

export const name = 'scale';
/** Left out of a plain `npm run bench`; `--only scale` or `--with scale` runs it. */
export const optIn = true;

export const SMALL = 10_000;
export const DEFAULT_LARGE = 1_000_000;
const WARMUP = 2;
const DAY_MS = 86_400_000;

// Growth limits (median at the large size ÷ median at 10,000).
const LIST = 1.5; // a paged list, a task's detail, a write: the same cost at any size
const MONTH = 2; // what a month holds
const YEAR = 3; // what a year holds
const QUEUE = 1.5; // counts per state

const period = (from, to) => `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
const submission = () => ({
  title: 'Reconcile the November invoices',
  instructions: 'Match every invoice to its payment and list the ones that do not match.',
  category: 'bookkeeping',
  priority: 'normal',
  deadline: new Date(Date.now() + 2 * DAY_MS).toISOString(),
});

/**
 * The reads, measured in this order. `as`: whose token (admin, client of the
 * large organization, assistant, claimer: another assistant). `path(c)` gets
 * the size's context (`c.ids`, `c.period`, `c.state` from `prepare`). A new
 * list is one line here.
 */
const READS = [
  // No target: the same work at any size, so its growth is this run's noise (a busy machine moves it both ways).
  { name: 'control: GET /api/auth/me (the same work at any size)', as: 'admin', path: () => '/api/auth/me' },
  { name: 'admin: tasks, first page', as: 'admin', path: () => '/api/tasks', max: LIST },
  { name: 'admin: tasks, page 21 by cursor', as: 'admin', prepare: (c) => cursorAfter(c, 'admin', '/api/tasks', 20), path: (c) => `/api/tasks?cursor=${c.state}`, max: LIST },
  { name: 'admin: tasks by status (claimed), first page', as: 'admin', path: () => '/api/tasks?status=claimed', max: LIST },
  { name: 'client: organization’s tasks, first page (large organization)', as: 'client', path: () => '/api/tasks', max: LIST },
  { name: 'assistant: own tasks, first page', as: 'assistant', path: () => '/api/tasks', max: LIST },
  { name: 'assistant: available board', as: 'assistant', path: () => '/api/tasks/available', max: LIST },
  { name: 'a task’s detail (with its events)', as: 'client', path: (c) => `/api/tasks/${c.ids.task}`, max: LIST },
  { name: 'client: monthly statement (large organization)', as: 'client', path: (c) => `/api/billing/statement?month=${c.period.month}`, max: MONTH },
  { name: 'billing summary, last full month', as: 'admin', path: (c) => `/api/billing/summary?${period(c.period.monthFrom, c.period.monthTo)}`, max: MONTH },
  { name: 'billing summary, last 364 days', as: 'admin', path: (c) => `/api/billing/summary?${period(c.period.yearFrom, c.period.yearTo)}`, max: YEAR },
  { name: 'assistant: earnings by month (whole history)', as: 'assistant', path: () => '/api/billing/earnings?groupBy=month', max: YEAR },
  { name: 'admin: queue health (GET /api/admin/queues)', as: 'admin', path: () => '/api/admin/queues', max: QUEUE },
  { name: 'admin: failed dispatch jobs', as: 'admin', path: () => '/api/admin/queues/dispatch/failed?limit=20', max: LIST },
  { name: 'admin: billing entries, first page', as: 'admin', path: () => '/api/billing/entries', max: LIST },
  { name: 'assistant: own payouts, first page', as: 'assistant', path: () => '/api/billing/entries', max: LIST },
  { name: 'admin: audit, first page (GET /api/admin/audit)', as: 'admin', path: () => '/api/admin/audit', max: LIST },
  { name: 'admin: users, first page of 200 (GET /api/users)', as: 'admin', path: () => '/api/users?limit=200', max: LIST },
  { name: 'client: submit a task', as: 'client', method: 'POST', path: () => '/api/tasks', body: submission, status: 201, max: LIST },
  // Each claimed task is released again (untimed), so every claim finds the same queue.
  { name: 'assistant: claim-next', as: 'claimer', method: 'POST', path: () => '/api/tasks/claim-next', status: 200, after: release, max: LIST },
  // The year first: an export's RSS growth is counted from before its first download, and a heap
  // grown by an earlier export would hide part of it.
  { name: 'CSV export, last 364 days', as: 'admin', export: (c) => [c.period.yearFrom, c.period.yearTo], rssMb: 50, minRate: 0.5 },
  { name: 'CSV export, last month', as: 'admin', export: (c) => [c.period.monthFrom, c.period.monthTo] },
];

async function release(c, res) {
  const id = JSON.parse(res.text).id;
  const back = await send(c.api.url, 'POST', `/api/tasks/${id}/release`, c.tokens.claimer);
  if (back.status !== 200) throw new Error(`release after claim-next answered ${back.status}: ${back.text.slice(0, 200)}`);
}

async function cursorAfter(c, as, path, pages) {
  let cursor = null;
  for (let i = 0; i < pages; i++) {
    const res = await send(c.api.url, 'GET', cursor ? `${path}?cursor=${cursor}` : path, c.tokens[as]);
    cursor = JSON.parse(res.text).nextCursor;
    if (!cursor) throw new Error(`${path} has fewer than ${pages + 1} pages at ${c.n} tasks`);
  }
  return cursor;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** One request, timed to its last byte; the body is kept as text and parsed only by those who need it. */
function send(baseUrl, method, path, token, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const headers = { authorization: `Bearer ${token}` };
    if (data !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
    const req = http.request(`${baseUrl}${path}`, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function timeRead(read, c) {
  const t = performance.now();
  const res = await send(c.api.url, read.method ?? 'GET', read.path(c), c.tokens[read.as], read.body?.());
  const ms = performance.now() - t;
  if (res.status !== (read.status ?? 200)) throw new Error(`${read.name} at ${c.n.toLocaleString('en')} tasks answered ${res.status}: ${res.text.slice(0, 300)}`);
  if (read.after) await read.after(c, res);
  return ms;
}

/** Download the export as fast as this client reads, sampling the API's RSS every 20 ms. */
function download(c, path) {
  return new Promise((resolve, reject) => {
    const pid = c.api.pid;
    let peak = rssMb(pid) ?? 0;
    const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid) ?? 0)), 20);
    const t = performance.now();
    let bytes = 0;
    const req = http.get(`${c.api.url}${path}`, { headers: { authorization: `Bearer ${c.tokens.admin}` }, agent }, (res) => {
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', () => {
        clearInterval(timer);
        peak = Math.max(peak, rssMb(pid) ?? 0);
        if (res.statusCode !== 200) reject(new Error(`export at ${c.n} tasks answered ${res.statusCode}`));
        else resolve({ ms: performance.now() - t, bytes, peak });
      });
      res.on('error', (e) => (clearInterval(timer), reject(e)));
    });
    req.on('error', (e) => (clearInterval(timer), reject(e)));
  });
}

// The export's own query (BillingService.exportCsv), as COPY: the floor for "these rows as CSV".
const copySql = (from, to) => `COPY (
  SELECT l.id, l.created_at, l.kind, l.task_id, l.organization_id, o.name AS organization_name, l.assistant_id,
         a.name AS assistant_name, l.amount_cents, l.currency::text AS currency, l.created_by, l.reason
    FROM ledger_entries l JOIN organizations o ON o.id = l.organization_id LEFT JOIN users a ON a.id = l.assistant_id
   WHERE l.created_at >= '${from}'::timestamptz AND l.created_at < '${to}'::timestamptz
   ORDER BY l.created_at, l.id) TO STDOUT WITH (FORMAT csv, HEADER)`;

async function copyOut(c, from, to) {
  const client = await c.db.pool.connect();
  try {
    const t = performance.now();
    let bytes = 0;
    for await (const chunk of client.query(copyStreams.to(copySql(from, to)))) bytes += chunk.length;
    return { ms: performance.now() - t, bytes };
  } finally {
    client.release();
  }
}

const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const MB = 1024 * 1024;

async function measureRead(read, sizes, samples, label) {
  for (const c of sizes) c.state = read.prepare ? await read.prepare(c) : undefined;
  for (let i = 0; i < WARMUP; i++) for (const c of sizes) await timeRead(read, c);
  const ms = sizes.map(() => []);
  for (let i = 0; i < samples; i++) for (const [j, c] of sizes.entries()) ms[j].push(await timeRead(read, c));
  const [small, large] = ms.map(median);
  console.log(`  ${read.name}: ${fmtMs(small)} → ${fmtMs(large)} (${(large / small).toFixed(1)}×)`);
  return [
    {
      ...row({
        scenario: `${label}: ${read.name}`,
        unit: 'ms',
        value: large,
        baseline: small,
        target: read.max ? `growth ≤ ${read.max}×` : null,
        check: read.max ? ({ ratio }) => ratio <= read.max : undefined,
      }),
      samples: { baseline: ms[0], scenario: ms[1] },
    },
  ];
}

async function measureExport(read, sizes, samples, label) {
  const out = [];
  const per = [];
  for (const c of sizes) {
    const [from, to] = read.export(c);
    const path = `/api/billing/export.csv?${period(from, to)}`;
    const rows = (await c.db.pool.query(`SELECT count(*)::int AS n FROM ledger_entries WHERE created_at >= $1 AND created_at < $2`, [from, to])).rows[0].n;
    per.push({ c, from, to, path, rows, rssBefore: rssMb(c.api.pid), peak: 0, api: [], copy: [], bytes: 0, copyBytes: 0 });
  }
  for (let i = 0; i < WARMUP + samples; i++) {
    for (const p of per) {
      const d = await download(p.c, p.path);
      const k = await copyOut(p.c, p.from, p.to);
      p.peak = Math.max(p.peak, d.peak);
      p.bytes = d.bytes;
      p.copyBytes = k.bytes;
      if (i >= WARMUP) {
        p.api.push(d.ms);
        p.copy.push(k.ms);
      }
    }
  }
  const [small, large] = per;
  const rate = (p, ms) => p.rows / (ms / 1000);
  for (const p of per) {
    p.growth = p.rssBefore === null ? null : p.peak - p.rssBefore;
    console.log(
      `  ${read.name} at ${p.c.n.toLocaleString('en')} tasks: ${p.rows.toLocaleString('en')} entries, ${(p.bytes / MB).toFixed(1)} MB in ${fmtMs(median(p.api))}` +
        ` (COPY ${(p.copyBytes / MB).toFixed(1)} MB in ${fmtMs(median(p.copy))}); API RSS ${p.rssBefore?.toFixed(0)} → peak ${p.peak.toFixed(0)} MB`,
    );
  }
  out.push({
    ...row({
      scenario: `${label}: ${read.name}`,
      unit: 'ms',
      value: median(large.api),
      baseline: median(small.api),
      note: `${(small.bytes / MB).toFixed(1)} MB → ${(large.bytes / MB).toFixed(1)} MB of CSV (${small.rows.toLocaleString('en')} → ${large.rows.toLocaleString('en')} entries); an export grows with its rows, so its growth has no target`,
    }),
    samples: { baseline: small.api, scenario: large.api },
  });
  out.push(
    row({
      scenario: `${label}: ${read.name}, rate against COPY … TO STDOUT at ${large.c.n.toLocaleString('en')} tasks`,
      unit: 'entries/s',
      value: median(large.api.map((ms) => rate(large, ms))),
      baseline: median(large.copy.map((ms) => rate(large, ms))),
      target: read.minRate ? `ratio ≥ ${read.minRate}` : null,
      check: read.minRate ? ({ ratio }) => ratio >= read.minRate : undefined,
      samples: { baseline: large.copy.map((ms) => rate(large, ms)), scenario: large.api.map((ms) => rate(large, ms)) },
      note: `each download followed by COPY of the export's query through pg-copy-streams, ${samples} pairs; ratio per pair, then the median`,
    }),
  );
  out.push(
    row({
      scenario: `${label}: ${read.name}, API RSS growth at ${large.c.n.toLocaleString('en')} tasks`,
      unit: 'MB',
      value: large.growth,
      target: read.rssMb ? `< ${read.rssMb} MB` : null,
      check: read.rssMb ? ({ value }) => value < read.rssMb : undefined,
      note: `peak VmRSS (sampled every 20 ms over ${WARMUP + samples} downloads) − VmRSS before the first: ${large.rssBefore?.toFixed(0)} → ${large.peak.toFixed(0)} MB; at ${small.c.n.toLocaleString('en')} tasks ${small.rssBefore?.toFixed(0)} → ${small.peak.toFixed(0)} MB`,
    }),
  );
  return out;
}

/** Seed a size, start its API and sign its users in. */
async function prepareSize(n, now) {
  const db = await createBenchDb();
  console.log(`  seeding ${n.toLocaleString('en')} tasks into ${db.name} …`);
  const seed = await seedScale(db, n, { log: (m) => console.log(`    ${m}`) });
  const counts = (
    await db.pool.query(`SELECT (SELECT count(*) FROM tasks)::int AS tasks, (SELECT count(*) FROM ledger_entries)::int AS ledger, (SELECT count(*) FROM task_events)::int AS events,
                                pg_database_size(current_database()) AS bytes`)
  ).rows[0];
  console.log(
    `  seeded ${counts.tasks.toLocaleString('en')} tasks, ${counts.ledger.toLocaleString('en')} ledger entries, ${counts.events.toLocaleString('en')} task events` +
      ` (${(Number(counts.bytes) / MB / 1024).toFixed(2)} GB) in ${(seed.ms / 1000).toFixed(0)} s`,
  );
  const { prefix, purge } = benchPrefix();
  const api = await startApi({ db, prefix });
  // Real sign-ins: the seeded users share one password, hashed by the API's own function.
  const [admin, client, assistant, claimer] = await Promise.all(
    [seed.admin.email, seed.largeClient.email, seed.assistants[0].email, seed.assistants[1].email].map((email) => login(api.url, email, SCALE_PASSWORD)),
  );
  // A task from a month ago in the large organization: accepted, with its whole history.
  const task = (
    await db.pool.query(
      `SELECT id FROM tasks WHERE organization_id = $1 AND status = 'accepted' AND created_at < now() - interval '30 days' ORDER BY created_at DESC LIMIT 1`,
      [seed.largeOrg.id],
    )
  ).rows[0].id;
  return { n, db, api, purge, seed, counts, tokens: { admin, client, assistant, claimer }, ids: { task }, period: periods(now) };
}

/** The periods every size reads: the last full calendar month (UTC) and the 364 days up to the end of today. */
export function periods(now) {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const monthFrom = new Date(Date.UTC(y, m - 1, 1));
  const yearTo = new Date(Date.UTC(y, m, now.getUTCDate() + 1));
  return {
    month: monthFrom.toISOString().slice(0, 7),
    monthFrom: monthFrom.toISOString(),
    monthTo: new Date(Date.UTC(y, m, 1)).toISOString(),
    yearFrom: new Date(yearTo.getTime() - 364 * DAY_MS).toISOString(),
    yearTo: yearTo.toISOString(),
  };
}

export async function run({ scaleSize = DEFAULT_LARGE, scaleSamples = 15 } = {}) {
  if (!(scaleSize > SMALL)) throw new Error(`--scale-size must be above ${SMALL}`);
  const now = new Date();
  const sizes = [];
  const started = performance.now();
  try {
    for (const n of [SMALL, scaleSize]) sizes.push(await prepareSize(n, now));
    const short = (n) => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}k` : n.toLocaleString('en'));
    const label = `scale ${short(SMALL)} → ${short(scaleSize)}`;
    console.log(`  setup ${((performance.now() - started) / 1000).toFixed(0)} s; median of ${scaleSamples} per size after ${WARMUP} warm-ups, requests alternating between the sizes`);
    const rows = [];
    for (const read of READS) rows.push(...(await (read.export ? measureExport : measureRead)(read, sizes, scaleSamples, label)));
    rows[0].note = `scale rows: figure = median at ${scaleSize.toLocaleString('en')} tasks, baseline = median at ${SMALL.toLocaleString('en')}, ratio = growth (figure ÷ baseline); seed ${sizes.map((s) => `${(s.seed.ms / 1000).toFixed(0)} s`).join(' and ')}`;
    for (const r of rows) r.sizes = { baseline: SMALL, figure: scaleSize };
    return rows;
  } finally {
    for (const s of sizes) {
      await s.api.stop();
      await s.db.drop();
      await s.purge();
    }
  }
}
