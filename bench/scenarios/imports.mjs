// Bulk hand-off: a 10,000-row CSV uploaded against a template and confirmed, timed from the
// confirm until every task is queued and relayed, beside POST /api/tasks and the plain-insert
// baseline the submit scenario uses, in the same run; and the API's resident memory over it.
import { benchPrefix, createBenchDb, DEMO_CLIENT, DEMO_PASSWORD, login, sleep, startApi, untilSettled, userByEmail } from '../lib/harness.mjs';
import { cannon, closedLoops, median } from '../lib/load.mjs';
import { row } from '../lib/report.mjs';
import { taskBody } from './submit.mjs';

export const name = 'imports';
const CONNECTIONS = 50;
const ROWS = 10_000;
const MIN_SHARE = 0.8;

const template = {
  name: 'Enter supplier invoices',
  category: 'bookkeeping',
  instructions: 'Open the folder, enter each invoice, flag the ones without a purchase order.',
  checklist: [{ title: 'Open the folder', required: true }],
  inputs: [
    { key: 'folder', label: 'Folder', type: 'text', required: true, maxLength: 200 },
    { key: 'invoices', label: 'Invoices', type: 'number', integer: true, min: 1, max: 500 },
    { key: 'ledger', label: 'Ledger', type: 'choice', options: ['Xero', 'QuickBooks'] },
  ],
  deadlineRule: { kind: 'business_hours', hours: 16 },
};

/** A file of unique rows (each pair's own bytes, so no upload is taken for an earlier one). */
function csvOf(tag) {
  const lines = ['folder,invoices,ledger'];
  for (let i = 0; i < ROWS; i++) lines.push(`https://files.example/${tag}/${i},${(i % 500) + 1},${i % 2 ? 'Xero' : 'QuickBooks'}`);
  return `${lines.join('\r\n')}\r\n`;
}

async function json(res) {
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

export async function run({ pairs, seconds }) {
  const db = await createBenchDb();
  const { prefix, purge } = benchPrefix();
  const api = await startApi({ db, prefix });
  try {
    const token = await login(api.url, DEMO_CLIENT, DEMO_PASSWORD);
    const auth = { authorization: `Bearer ${token}` };
    const client = await userByEmail(db, DEMO_CLIENT);
    const tpl = await json(await fetch(`${api.url}/api/templates`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(template) }));
    await db.pool.query(`CREATE TABLE bench_tasks (LIKE tasks INCLUDING ALL)`);
    const body = taskBody();
    const params = [client.organization_id, client.id, body.title, body.instructions, body.category, body.priority, body.deadline, 4500, 'USD'];
    const rawLoad = () =>
      closedLoops(
        CONNECTIONS,
        () => db.pool.query(`INSERT INTO bench_tasks (organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, params),
        { deadlineMs: seconds * 1000 },
      ).then((r) => r.perSecond);
    const submitLoad = async (s = seconds) => {
      const r = await cannon({ url: `${api.url}/api/tasks`, connections: CONNECTIONS, seconds: s, method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const settleMs = await untilSettled({ db, prefix });
      return r.ok / (r.seconds + settleMs / 1000);
    };

    const growth = [];
    const importLoad = async (i) => {
      await sleep(500);
      const rssBefore = api.rss();
      let rssPeak = rssBefore;
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, api.rss() ?? 0)), 50);
      try {
        const form = new FormData();
        form.append('templateId', tpl.id);
        form.append('file', new Blob([csvOf(`pair${i}-${Date.now()}`)], { type: 'text/csv' }), 'invoices.csv');
        const preview = await json(await fetch(`${api.url}/api/imports`, { method: 'POST', headers: auth, body: form }));
        if (preview.valid !== ROWS) throw new Error(`imports: ${preview.valid} valid rows of ${ROWS}`);
        const started = performance.now();
        await json(await fetch(`${api.url}/api/imports/${preview.id}/confirm`, { method: 'POST', headers: auth }));
        for (;;) {
          const now = await json(await fetch(`${api.url}/api/imports/${preview.id}`, { headers: auth }));
          if (now.status === 'done') break;
          if (now.status === 'failed') throw new Error(`imports: the run failed: ${now.error}`);
          await sleep(20);
        }
        await untilSettled({ db, prefix });
        const rate = ROWS / ((performance.now() - started) / 1000);
        growth.push(rssBefore === null ? null : rssPeak - rssBefore);
        return rate;
      } finally {
        clearInterval(sampler);
      }
    };

    await rawLoad();
    await submitLoad(2);
    const raw = [];
    const submit = [];
    const imported = [];
    for (let i = 0; i < pairs; i++) {
      raw.push(await rawLoad());
      submit.push(await submitLoad());
      imported.push(await importLoad(i));
      console.log(`  imports pair ${i + 1}/${pairs}: plain inserts ${raw.at(-1).toFixed(0)}, POST /api/tasks ${submit.at(-1).toFixed(0)}, import ${imported.at(-1).toFixed(0)} tasks/s; API RSS +${growth.at(-1)?.toFixed(0) ?? '?'} MB`);
    }
    const submitRatio = median(submit.map((v, k) => v / raw[k]));
    const known = growth.filter((g) => g !== null);
    return [
      row({
        scenario: `imports: a ${ROWS.toLocaleString('en')}-row CSV confirmed, tasks queued and relayed per second`,
        unit: 'tasks/s',
        value: median(imported),
        baseline: median(raw),
        samples: { baseline: raw, scenario: imported },
        target: `ratio ≥ ${MIN_SHARE} × POST /api/tasks’s (${submitRatio.toFixed(2)})`,
        check: ({ ratio }) => ratio >= MIN_SHARE * submitRatio,
        note: `baseline: plain single-row INSERTs, 50 callers, as in submit; POST /api/tasks in the same run: ${median(submit).toFixed(0)} tasks/s (median of ${submit.map((v) => v.toFixed(0)).join(', ')})`,
      }),
      row({
        scenario: `imports: API resident memory growth over a ${ROWS.toLocaleString('en')}-row upload and run`,
        unit: 'MB',
        value: known.length ? Math.max(...known) : null,
        target: '< 100',
        check: ({ value }) => value < 100,
        note: 'peak RSS during upload, preview, confirm and run minus RSS before, the worst pair; the file is spooled to disk and parsed as a stream',
      }),
    ];
  } finally {
    await api.stop();
    await db.drop();
    await purge();
  }
}
