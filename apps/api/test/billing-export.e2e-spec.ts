import { get, type IncomingMessage } from 'node:http';
import { runInNewContext } from 'node:vm';
import v8 from 'node:v8';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { eventually } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Live memory after a collection (the app runs in this process), not RSS, which also counts garbage not yet collected.
v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const live = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const MiB = 1024 * 1024;
const TASKS = 40_000;

describe('billing export: a large export streams', () => {
  let t: TestApp;
  let admin: Session;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http, t.config);
    const client = await registerClient(t.http, { organizationName: 'Bulk, "Exports" Ltd' });
    const assistant = await registerAssistant(t.http, ['research']);
    // Returned on time, each with its charge and payout, as a first return writes them.
    await t.db.query(
      `WITH made AS (
         INSERT INTO tasks (organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency,
                            status, assignee_id, on_time, claimed_at, started_at, returned_at)
         SELECT $1, $2, '=HYPERLINK("x";"' || i || '"), invoices; batch ' || i, 'bulk', 'research', 'normal', now() + interval '1 day', 1000 + i % 500, 'USD',
                'returned', $3, true, now(), now(), now()
           FROM generate_series(1, $4::int) AS i
         RETURNING id, organization_id, price_cents)
       INSERT INTO ledger_entries (task_id, organization_id, assistant_id, kind, amount_cents, currency)
       SELECT id, organization_id, $3, kind, CASE kind WHEN 'charge' THEN price_cents ELSE price_cents - price_cents / 5 END, 'USD'
         FROM made CROSS JOIN (VALUES ('charge'::ledger_kind), ('payout'::ledger_kind)) AS k(kind)`,
      [client.user.organizationId, client.user.id, assistant.user.id, TASKS],
    );
  });
  afterAll(() => t.close());

  const download = (onChunk: (chunk: Buffer, res: IncomingMessage) => void): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const req = get(`${t.url}/api/billing/export.csv`, { headers: { authorization: `Bearer ${admin.token}` } }, (res) => {
        res.on('data', (chunk: Buffer) => onChunk(chunk, res));
        res.on('end', () => resolve(res));
        res.on('close', () => resolve(res));
        res.on('error', reject);
      });
      req.on('error', reject);
    });

  it('sends every entry while live memory grows far less than the file', async () => {
    gc();
    const before = live();
    let peak = before;
    let bytes = 0;
    let sampledAt = 0;
    let lines = 0;
    let tail = '';
    const res = await download((chunk) => {
      bytes += chunk.length;
      const text = tail + chunk.toString('utf8');
      lines += text.split('\r\n').length - 1;
      tail = text.slice(text.lastIndexOf('\r\n') + 2);
      if (bytes - sampledAt > 2 * MiB) {
        sampledAt = bytes;
        gc();
        peak = Math.max(peak, live());
      }
    });
    expect(res.statusCode).toBe(200);
    expect(lines).toBe(2 * TASKS + 1);
    expect(tail).toBe('');
    expect(bytes).toBeGreaterThan(20 * MiB);
    // Holding the export whole would take the file's size again in text and several times it in rows.
    expect(peak - before).toBeLessThan(16 * MiB);
    console.info(`export of ${2 * TASKS} entries: ${(bytes / MiB).toFixed(1)} MiB streamed; live memory growth ${((peak - before) / MiB).toFixed(1)} MiB`);
  });

  it('gives the connection back when the client hangs up mid-download, more times than the pool has connections', async () => {
    for (let i = 0; i < 12; i++) {
      await download((_chunk, res) => res.destroy());
    }
    await eventually(
      async () => (await t.db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%FROM ledger_entries l JOIN tasks%' AND state <> 'idle' AND pid <> pg_backend_pid()`)).rows[0].n as number,
      (n) => n === 0,
    );
    const res = await t.http.get('/api/billing/export.csv?kind=charge', { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.text.split('\r\n').filter(Boolean)).toHaveLength(TASKS + 1);
    expect(res.text).toContain(`,"'=HYPERLINK(""x"";""1""), invoices; batch 1",`);
  });
});
