// `node bench/explain.mjs`: EXPLAIN (ANALYZE, BUFFERS) of the hot queries on a
// throwaway bench database with a realistic backlog, printed as Markdown for
// docs/PERFORMANCE.md. The SQL is the API's own (same text as the tasks and users
// repositories and the timer sweep); the database is dropped at the end.
import { cleanupAll, createBenchDb, DEMO_CLIENT, insertAssistants, REPO_ROOT, userByEmail } from './lib/harness.mjs';
import { CATEGORIES, seedQueued, skillsFor } from './scenarios/claim.mjs';

const { ANNOUNCE_SQL, BOARD_SQL, CLAIM_NEXT_PICK, DUE_TIMERS_SQL, QUEUE_ORDER, TASK_JOINS, TASK_SELECT } = await import(`${REPO_ROOT}apps/api/dist/tasks/tasks.repository.js`);
const QUEUED = 5_000;
const HISTORY = 50_000;
const ASSISTANTS = 1_000;

async function explain(db, title, sql, params, { rollback = false } = {}) {
  const c = await db.pool.connect();
  try {
    if (rollback) await c.query('BEGIN');
    const { rows } = await c.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`, params);
    if (rollback) await c.query('ROLLBACK');
    console.log(`#### ${title}\n\n\`\`\`sql\n${sql.replace(/\s+/g, ' ').trim()}\n\`\`\`\n\n\`\`\`\n${rows.map((r) => r['QUERY PLAN']).join('\n')}\n\`\`\`\n`);
  } finally {
    c.release();
  }
}

async function main() {
  const db = await createBenchDb();
  try {
    const client = await userByEmail(db, DEMO_CLIENT);
    const assistants = await insertAssistants(db, { count: ASSISTANTS, skillsFor, maxConcurrent: 3, online: true });
    // History: most of it finished work of other organizations, a fifth of it the demo client's.
    const orgs = (await db.pool.query(`INSERT INTO organizations (name) SELECT 'Org ' || g FROM generate_series(1, 50) g RETURNING id`)).rows.map((r) => r.id);
    await db.pool.query(
      `INSERT INTO tasks (organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency,
                          status, assignee_id, created_at, claimed_at, started_at, returned_at, accepted_at, on_time)
       SELECT CASE WHEN g % 5 = 0 THEN $1 ELSE ($3::uuid[])[1 + g % 50] END, $2, 'Done ' || g, 'Done.', ($4::text[])[1 + g % 10]::task_category,
              'normal', t0 + interval '1 day', 2500, 'USD', 'accepted', ($5::uuid[])[1 + g % $6], t0, t0, t0, t0 + interval '1 hour', t0 + interval '2 hours', true
         FROM generate_series(1, $7) g CROSS JOIN LATERAL (SELECT now() - make_interval(mins => g) AS t0) ts`,
      [client.organization_id, client.id, orgs, CATEGORIES, assistants.map((a) => a.id), ASSISTANTS, HISTORY],
    );
    await seedQueued(db, 'tasks', client, QUEUED);
    // A few hundred claimed, so capacity counts have something to count.
    await db.pool.query(
      `UPDATE tasks SET status = 'claimed', assignee_id = ($1::uuid[])[1 + (hashtext(id::text) & 1023) % $2], claimed_at = now()
        WHERE id IN (SELECT id FROM tasks WHERE status = 'queued' LIMIT 300)`,
      [assistants.map((a) => a.id), ASSISTANTS],
    );
    // And a few hundred returned, waiting for review, for the timer sweep to look at.
    await db.pool.query(
      `UPDATE tasks SET status = 'returned', assignee_id = ($1::uuid[])[1 + (hashtext(id::text) & 1023) % $2], claimed_at = now(),
                        started_at = now(), returned_at = now(), on_time = true, result = 'done'
        WHERE id IN (SELECT id FROM tasks WHERE status = 'queued' LIMIT 300)`,
      [assistants.map((a) => a.id), ASSISTANTS],
    );
    await db.pool.query('VACUUM ANALYZE');
    const counts = (await db.pool.query(`SELECT status, count(*)::int AS n FROM tasks GROUP BY 1 ORDER BY 1`)).rows;
    console.log(`<!-- node bench/explain.mjs, PostgreSQL ${(await db.pool.query('SHOW server_version')).rows[0].server_version}; tasks: ${counts.map((r) => `${r.n} ${r.status}`).join(', ')}; ${ASSISTANTS} assistants online -->\n`);

    const me = assistants[0];
    const skills = skillsFor(0);
    await explain(
      db,
      'claim-next: the pick (inside the claiming UPDATE)',
      CLAIM_NEXT_PICK,
      [skills],
      { rollback: true },
    );
    await explain(
      db,
      'claim-next: the assistant row the claiming statement locks (capacity from active_tasks)',
      `SELECT active_tasks, max_concurrent_tasks, suspended FROM users WHERE id = $1::uuid FOR UPDATE`,
      [me.id],
      { rollback: true },
    );
    await explain(
      db,
      'available board: GET /api/tasks/available',
      BOARD_SQL,
      [skills, 50, me.id],
    );
    await explain(
      db,
      'organization task list: GET /api/tasks as a client (first page)',
      `SELECT ${TASK_SELECT} FROM tasks t ${TASK_JOINS} WHERE t.organization_id = $1 ORDER BY t.created_at DESC, t.id DESC LIMIT $2`,
      [client.organization_id, 51],
    );
    const batch = (await db.pool.query(`SELECT id, version FROM tasks WHERE status = 'queued' LIMIT 200`)).rows;
    await explain(
      db,
      `dispatch: one announce job of ${batch.length} tasks, the tasks and the assistants to tell each (${ASSISTANTS} online)`,
      ANNOUNCE_SQL,
      [batch.map((r) => r.id), batch.map((r) => r.version)],
    );
    await explain(
      db,
      'timer sweep: every timer due within the horizon (10 min; claim window 15 min, review window 72 h, reminder 24 h before)',
      DUE_TIMERS_SQL,
      [new Date(Date.now() + 10 * 60_000), 15 * 60_000, 72 * 3_600_000, 24 * 3_600_000],
    );
    await explain(
      db,
      'an authenticated request whose user is not kept (SESSION_CACHE): the session lookup',
      `SELECT id, email, name, role, organization_id, skills::text AS skills, max_concurrent_tasks, suspended, token_version FROM users WHERE id = $1`,
      [me.id],
    );
  } finally {
    await db.drop();
    await cleanupAll();
  }
}

main().catch(async (e) => {
  console.error(e);
  await cleanupAll();
  process.exit(1);
});
