import { ANNOUNCE_SQL, TASKS_BY_ID_SQL, templateRunsSql, templateStatsSql } from '../src/tasks/tasks.repository.js';
import { SESSION_SQL } from '../src/users/users.repository.js';
import { registerClient } from './support/factories.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/**
 * The batch reads behind every relay pass and every announce look tasks up by
 * primary key. Their cost must follow the batch, not the table: a queue ten
 * thousand tasks deep must not be read to announce a handful of them.
 */
describe('query plans of the batch reads', () => {
  let t: TestApp;
  let ids: string[];
  beforeAll(async () => {
    t = await startTestApp();
    const client = await registerClient(t.http);
    const insert = (count: number, status: string) =>
      t.db.query<{ id: string }>(
        `INSERT INTO tasks (organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency, status, cancelled_at)
         SELECT $1, $2, 'Backlog ' || n, 'Follow the SOP.', 'data_entry', 'normal', now() + interval '2 days', 2500, 'USD', $4::task_status,
                CASE WHEN $4 = 'cancelled' THEN now() END
           FROM generate_series(1, $3::int) AS n RETURNING id`,
        [client.user.organizationId, client.user.id, count, status],
      );
    // Statistics taken before a burst of submissions: they say almost nothing is queued. Autovacuum
    // analyzes again only on its next round, up to a minute later; until then the burst keeps growing.
    await t.db.query('ALTER TABLE tasks SET (autovacuum_enabled = false)');
    await insert(200, 'cancelled');
    await t.db.query('ANALYZE tasks');
    ids = (await insert(10_000, 'queued')).rows.slice(0, 50).map((r) => r.id);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function plan(sql: string, params: unknown[]): Promise<PlanNode[]> {
    const { rows } = await t.db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
    return nodes(rows[0]!['QUERY PLAN'][0].Plan);
  }

  it.each([
    ['announce', () => plan(ANNOUNCE_SQL, [ids, ids.map(() => 1)])],
    ['relay', () => plan(TASKS_BY_ID_SQL, [ids])],
  ])('the %s read reaches tasks through its primary key alone', async (_name, explain) => {
    const onTasks = (await explain()).filter((n) => n['Relation Name'] === 'tasks' || n['Index Name']?.startsWith('tasks_'));
    expect(onTasks.length).toBeGreaterThan(0);
    expect(onTasks.filter((n) => n['Node Type'] !== 'Bitmap Heap Scan').map((n) => [n['Node Type'], n['Index Name']])).toEqual(
      onTasks.filter((n) => n['Node Type'] !== 'Bitmap Heap Scan').map(() => [expect.stringMatching(/Index Scan/), 'tasks_pkey']),
    );
  });
});

/**
 * The session lookup runs whenever a kept answer is missing: its cost must not grow with a
 * session's age (a family gains a row per refresh) nor with the table.
 */
describe('query plan of the session lookup', () => {
  let t: TestApp;
  let user: string;
  let family: string;
  beforeAll(async () => {
    t = await startTestApp();
    const client = await registerClient(t.http);
    user = client.user.id;
    // 200 sessions of 100 rotations each, every tenth revoked: a month of a busy deployment.
    await t.db.query(
      `INSERT INTO refresh_tokens (family_id, user_id, token_hash, token_version, expires_at, used_at, revoked_at)
       SELECT f.id, $1, md5(f.id::text || g), 0, now() + interval '1 day', now(), CASE WHEN f.n % 10 = 0 THEN now() END
         FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, 200) n) f, generate_series(1, 100) g`,
      [user],
    );
    await t.db.query('ANALYZE refresh_tokens');
    family = (await t.db.query(`SELECT family_id FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL LIMIT 1`, [user])).rows[0].family_id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('probes refresh_tokens through its family indexes only', async () => {
    const { rows } = await t.db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${SESSION_SQL}`, [user, family]);
    const all = nodes(rows[0]!['QUERY PLAN'][0].Plan);
    const onTokens = all.filter((n) => n['Relation Name'] === 'refresh_tokens' || n['Index Name']?.startsWith('refresh_tokens_'));
    expect(onTokens.length).toBeGreaterThan(0);
    expect(onTokens.map((n) => n['Index Name']).sort()).toEqual(['refresh_tokens_family_idx', 'refresh_tokens_revoked_family_idx']);
    expect(all.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([]);
  });
});

/**
 * A template's process view reads its tasks on every visit: its cost must follow the
 * template's tasks, not the table, which holds every organization's tasks of every template.
 */
describe('query plans of the process view', () => {
  let t: TestApp;
  let templateId: string;
  let organizationId: string;
  beforeAll(async () => {
    t = await startTestApp();
    const client = await registerClient(t.http);
    organizationId = client.user.organizationId!;
    const made = async (name: string) =>
      (await t.http.post<{ id: string; versionId: string }>('/api/templates', { name, category: 'data_entry', instructions: 'I', deadlineRule: { kind: 'calendar_hours', hours: 4 } }, { token: client.token })).body;
    const busy = await made('Busy SOP');
    const quiet = await made('Quiet SOP');
    templateId = quiet.id;
    const insert = (tpl: { id: string; versionId: string }, count: number) =>
      t.db.query(
        `INSERT INTO tasks (organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency, status,
                            template_id, template_version_id, template_version, cancelled_at)
         SELECT $1, $2, 'Run ' || n, 'Follow the SOP.', 'data_entry', 'normal', now() + interval '2 days', 2500, 'USD', 'cancelled', $4, $5, 1, now()
           FROM generate_series(1, $3::int) AS n`,
        [organizationId, client.user.id, count, tpl.id, tpl.versionId],
      );
    await insert(busy, 10_000);
    await insert(quiet, 20);
    await t.db.query(
      `INSERT INTO tasks (organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency, status, cancelled_at)
       SELECT $1, $2, 'Ad hoc ' || n, 'I', 'data_entry', 'normal', now() + interval '2 days', 2500, 'USD', 'cancelled', now() FROM generate_series(1, 10000) AS n`,
      [organizationId, client.user.id],
    );
    await t.db.query('ANALYZE tasks');
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each([
    ['runs', () => [templateRunsSql(true, false), [templateId, 51, organizationId]] as const],
    ['runs after a cursor', () => [templateRunsSql(true, true), [templateId, 51, organizationId, new Date().toISOString(), '00000000-0000-4000-8000-000000000000']] as const],
    ['figures', () => [templateStatsSql(true), [templateId, new Date(Date.now() - 30 * 86_400_000), organizationId]] as const],
  ])('the %s read reaches tasks through the template index', async (_name, read) => {
    const [sql, params] = read();
    const { rows } = await t.db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${sql}`, [...params]);
    const all = nodes(rows[0]!['QUERY PLAN'][0].Plan);
    const onTasks = all.filter((n) => n['Relation Name'] === 'tasks' || n['Index Name']?.startsWith('tasks_'));
    expect(onTasks.length).toBeGreaterThan(0);
    expect(onTasks.filter((n) => n['Node Type'] !== 'Bitmap Heap Scan').map((n) => n['Index Name'])).toEqual(
      onTasks.filter((n) => n['Node Type'] !== 'Bitmap Heap Scan').map(() => 'tasks_template_idx'),
    );
  });
});
