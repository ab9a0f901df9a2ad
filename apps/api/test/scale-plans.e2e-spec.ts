import { DataSource } from 'typeorm';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

/** The tables that grow with the work; the rollups and counters stay small. */
const GROWING = new Set(['tasks', 'task_events', 'ledger_entries', 'audit_log']);
/** Partial indexes whose rows are a state that work leaves (escalated and still queued): read whole. */
const SMALL_PARTIAL = new Set(['tasks_escalated_idx']);
const SCANS = new Set(['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan']);

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/** Scans of a growing table that no Limit above them stops, other than lookups by primary key. */
function unbounded(plan: PlanNode, limited = false): PlanNode[] {
  const here = limited || plan['Node Type'] === 'Limit';
  const own = SCANS.has(plan['Node Type']) && GROWING.has(plan['Relation Name'] ?? '') && !here && !plan['Index Name']?.endsWith('_pkey') ? [plan] : [];
  return [...own, ...(plan.Plans ?? []).flatMap((p) => unbounded(p, here))];
}

const describeScan = (n: PlanNode) => `${n['Node Type']} ${n['Relation Name']}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}`;

/**
 * The dashboard's hot reads, as the API sends them, planned against tables
 * holding a busy platform's shape with fresh statistics: a page walks an index
 * and stops (no sort of a growing table for it), a period's totals read the
 * rollups and at most index ranges of its edge days, queue health reads the
 * counters and index entries. Plans, not timings, so a busy machine can't fail it.
 */
describe('query plans of the dashboard reads at scale', () => {
  let t: TestApp;
  let admin: Session;
  let client: Session;
  let assistant: Session;
  const sent: { sql: string; params: unknown[] }[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http, t.config);
    client = await registerClient(t.http);
    assistant = await registerAssistant(t.http, ['data_entry', 'research', 'payroll']);
    for (const table of GROWING) await t.db.query(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
    // 40,000 tasks over a year among 40 assistants: the newest 5,000 queued (a deep queue), 300 claimed (more than a page),
    // the rest accepted (10 % late), with their events and ledger.
    const { rows: others } = await t.db.query<{ id: string }>(
      `INSERT INTO users (email, password_hash, name, role, skills) SELECT 'plan' || g || '@plans.test', 'x', 'Plan ' || g, 'assistant', ARRAY['data_entry']::task_category[]
         FROM generate_series(1, 39) g RETURNING id`,
    );
    await t.db.query(
      `INSERT INTO tasks (organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency, status,
                          assignee_id, on_time, returned_at, created_at, claimed_at)
       SELECT $1, $2, 'Plan ' || g, 'Follow the SOP.', (ARRAY['data_entry', 'research', 'payroll', 'bookkeeping', 'scheduling']::task_category[])[1 + g % 5],
              (ARRAY['low', 'normal', 'high', 'urgent']::task_priority[])[1 + g % 4], now() + interval '2 days', 2500, 'USD', s.status,
              CASE WHEN s.status <> 'queued' THEN ($3::uuid[])[1 + g % 40] END, CASE WHEN s.status = 'accepted' THEN g % 10 <> 0 END,
              CASE WHEN s.status = 'accepted' THEN s.created + interval '1 hour' END, s.created, CASE WHEN s.status <> 'queued' THEN s.created END
         FROM generate_series(1, 40000) g,
              LATERAL (SELECT now() - (40000 - g) * interval '13 minutes' AS created,
                              (CASE WHEN g > 35000 THEN 'queued' WHEN g > 34700 THEN 'claimed' ELSE 'accepted' END)::task_status AS status) s`,
      [client.user.organizationId, client.user.id, [assistant.user.id, ...others.map((o) => o.id)]],
    );
    await t.db.query(
      `INSERT INTO task_events (task_id, action, from_status, to_status, actor_id, actor_role, created_at)
       SELECT id, a, NULL, status, created_by, 'client', created_at + k * interval '1 minute' FROM tasks, unnest(ARRAY['submit', 'claim', 'return']) WITH ORDINALITY x(a, k)`,
    );
    await t.db.query(
      `INSERT INTO ledger_entries (task_id, organization_id, assistant_id, kind, amount_cents, currency, created_at)
       SELECT id, organization_id, assignee_id, k::ledger_kind, CASE k WHEN 'charge' THEN price_cents ELSE price_cents - 500 END, currency, returned_at
         FROM tasks, unnest(ARRAY['charge', 'payout']) k WHERE on_time`,
    );
    await t.db.query(
      `INSERT INTO ledger_entries (task_id, organization_id, assistant_id, kind, amount_cents, currency, created_at, created_by, reason)
       SELECT task_id, organization_id, assistant_id, 'refund', 100, currency, created_at + interval '1 day', $1, 'plan check'
         FROM ledger_entries WHERE kind = 'charge' AND hashtext(task_id::text) % 50 = 0`,
      [admin.user.id],
    );
    await t.db.query(
      `INSERT INTO audit_log (actor_id, actor_role, action, target_type, target_id, details, created_at)
       SELECT $1::uuid, 'admin', 'user.update', 'user', $1::uuid::text, '{}', now() - g * interval '1 hour' FROM generate_series(1, 5000) g`,
      [admin.user.id],
    );
    for (const table of [...GROWING, 'ledger_daily', 'ledger_assistant_daily', 'task_late_daily', 'task_status_counts']) await t.db.query(`VACUUM ANALYZE ${table}`);

    const ds = t.app.get(DataSource);
    const query = ds.query.bind(ds);
    ds.query = ((sql: string, params?: unknown[], ...rest: unknown[]) => {
      sent.push({ sql, params: params ?? [] });
      return (query as (...a: unknown[]) => Promise<unknown>)(sql, params, ...rest);
    }) as typeof ds.query;
  }, 120_000);
  afterAll(() => t?.close());

  /** The plans of the statements one request sent (`match` picks them), each as the flat list of its nodes and its tree. */
  async function plansOf(path: string, token: string, match: RegExp): Promise<PlanNode[]> {
    sent.length = 0;
    const res = await t.http.get(path, { token });
    expect(res.status).toBe(200);
    const statements = sent.filter((s) => match.test(s.sql));
    expect(statements.length).toBeGreaterThan(0);
    const plans: PlanNode[] = [];
    for (const s of statements) {
      const { rows } = await t.db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${s.sql}`, s.params);
      plans.push(rows[0]!['QUERY PLAN'][0].Plan);
    }
    return plans;
  }

  const growingScans = (plan: PlanNode) => nodes(plan).filter((n) => SCANS.has(n['Node Type']) && GROWING.has(n['Relation Name'] ?? ''));

  it.each([
    ['admin: tasks by status', (): string => `/api/tasks?status=claimed`, 'admin', /FROM tasks t/, ['tasks_status_created_idx']],
    ['assistant: own tasks', (): string => `/api/tasks`, 'assistant', /FROM tasks t/, ['tasks_assignee_created_idx']],
    ['assistant: the board', (): string => `/api/tasks/available`, 'assistant', /status = 'queued'/, ['tasks_queue_idx', 'tasks_pkey']],
    ['admin: audit, first page', (): string => `/api/admin/audit`, 'admin', /FROM audit_log/, ['audit_log_created_idx', 'task_events_created_idx', 'ledger_corrections_created_idx']],
    ['client: statement lines', (): string => `/api/billing/statement`, 'client', /FROM ledger_entries l JOIN tasks/, ['tasks_pkey']],
  ] as const)('%s: an index walk that a Limit stops', async (_name, path, who, match, indexes) => {
    const token = { admin, assistant, client }[who].token;
    for (const plan of await plansOf(path(), token, match)) {
      expect(unbounded(plan).map(describeScan)).toEqual([]);
      const scans = growingScans(plan);
      expect(scans.filter((n) => !n['Node Type'].startsWith('Index')).map(describeScan)).toEqual([]);
      for (const index of indexes) expect(scans.map((n) => n['Index Name'])).toContain(index);
    }
  });

  it.each([
    ['billing summary, a partial year', (): string => `/api/billing/summary?from=${new Date(Date.now() - 364 * 86_400_000).toISOString()}&to=${new Date().toISOString()}`, 'admin', /ledger_daily/],
    ['assistant: earnings over the whole history', (): string => `/api/billing/earnings`, 'assistant', /ledger_assistant_daily/],
    ['client: statement totals', (): string => `/api/billing/statement`, 'client', /ledger_daily/],
    ['admin: queue health', (): string => `/api/admin/queues`, 'admin', /task_status_counts|FROM tasks/],
  ] as const)('%s: rollups, counters and index ranges, never a pass over a growing table', async (_name, path, who, match) => {
    const token = { admin, assistant, client }[who].token;
    const { rows } = await t.db.query<{ indexname: string; tablename: string }>(`SELECT indexname, tablename FROM pg_indexes WHERE schemaname = 'public'`);
    const tableOf = new Map(rows.map((r) => [r.indexname, r.tablename]));
    for (const plan of await plansOf(path(), token, match)) {
      expect(nodes(plan).filter((n) => n['Node Type'] === 'Seq Scan' && GROWING.has(n['Relation Name'] ?? '')).map(describeScan)).toEqual([]);
      // Every index read of a growing table is a range (its edge days, one assistant, a flag) or a partial index of few rows.
      const reads = nodes(plan).filter((n) => n['Index Name'] && GROWING.has(tableOf.get(n['Index Name']) ?? ''));
      expect(reads.filter((n) => !n['Index Cond'] && !SMALL_PARTIAL.has(n['Index Name']!)).map(describeScan)).toEqual([]);
    }
  });
});
