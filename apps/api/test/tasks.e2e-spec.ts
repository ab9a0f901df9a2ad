import pg from 'pg';
import { CATEGORIES, PRIORITIES, priceFor, type TaskView } from '@handoff/contracts';
import { DEFAULT_RATE_CARD } from '../src/database/seed.js';
import { TasksService } from '../src/tasks/tasks.service.js';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { checkActiveCounts } from './support/ledger.js';
import { act, eventually, inHours, submitTask, taskBody } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('tasks: the lifecycle', () => {
  let t: TestApp;
  let client: Session;
  let admin: Session;
  beforeAll(async () => {
    t = await startTestApp();
    client = await registerClient(t.http);
    admin = await loginAdmin(t.http, t.config);
  });
  afterAll(() => t.close());

  it('quotes and fixes the price from the rate card for every category and priority', async () => {
    for (const category of CATEGORIES) {
      for (const priority of PRIORITIES) {
        const quote = await t.http.post('/api/tasks/quote', { category, priority }, { token: client.token });
        expect(quote.body).toEqual({ priceCents: priceFor(DEFAULT_RATE_CARD[category], priority), currency: 'USD', budget: null });
      }
    }
    const task = await submitTask(t.http, client, { category: 'payroll', priority: 'urgent' });
    expect(task.priceCents).toBe(priceFor(DEFAULT_RATE_CARD.payroll, 'urgent'));
    // A later rate change never reprices a submitted task.
    await t.http.put('/api/rate-card/payroll', { basePriceCents: 9999 }, { token: admin.token });
    const again = await t.http.get(`/api/tasks/${task.id}`, { token: client.token });
    expect(again.body.priceCents).toBe(task.priceCents);
    const newQuote = await t.http.post('/api/tasks/quote', { category: 'payroll', priority: 'normal' }, { token: client.token });
    expect(newQuote.body.priceCents).toBe(9999);
  });

  it('runs the happy path: submit, claim, start, return on time, accept — with its history and billing', async () => {
    const a = await registerAssistant(t.http, ['data_entry']);
    const task = await submitTask(t.http, client);
    expect(task).toMatchObject({ status: 'queued', version: 1, assigneeId: null, onTime: null, overdue: false });

    const board = await t.http.get('/api/tasks/available', { token: a.token });
    expect(board.body.items.map((x: TaskView) => x.id)).toContain(task.id);

    const claimed = await act(t.http, a, task.id, 'claim');
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ status: 'claimed', assigneeId: a.user.id, version: 2 });
    expect((await act(t.http, a, task.id, 'start')).body.status).toBe('in_progress');
    const returned = await act(t.http, a, task.id, 'return', { result: 'All 42 invoices entered; 2 duplicates flagged.' });
    expect(returned.body).toMatchObject({ status: 'returned', onTime: true, result: 'All 42 invoices entered; 2 duplicates flagged.' });
    const accepted = await act(t.http, client, task.id, 'accept');
    expect(accepted.body).toMatchObject({ status: 'accepted', version: 5 });
    expect(accepted.body.acceptedAt).toEqual(expect.any(String));

    const detail = await t.http.get(`/api/tasks/${task.id}`, { token: client.token });
    expect(detail.body.events.map((e: { action: string; fromStatus: string | null; toStatus: string }) => [e.action, e.fromStatus, e.toStatus])).toEqual([
      ['submit', null, 'queued'],
      ['claim', 'queued', 'claimed'],
      ['start', 'claimed', 'in_progress'],
      ['return', 'in_progress', 'returned'],
      ['accept', 'returned', 'accepted'],
    ]);
    expect(detail.body.events[1].actorId).toBe(a.user.id);

    const { rows } = await t.db.query(`SELECT kind, amount_cents, assistant_id FROM ledger_entries WHERE task_id = $1 ORDER BY kind`, [task.id]);
    expect(rows).toEqual([
      { kind: 'charge', amount_cents: task.priceCents, assistant_id: a.user.id },
      { kind: 'payout', amount_cents: task.priceCents - Math.floor((task.priceCents * 2000 + 5000) / 10000), assistant_id: a.user.id },
    ]);
  });

  it('runs the revision loop with the same assistant and bills only once', async () => {
    const a = await registerAssistant(t.http, ['research']);
    const task = await submitTask(t.http, client, { category: 'research' });
    await act(t.http, a, task.id, 'claim');
    await act(t.http, a, task.id, 'start');
    await act(t.http, a, task.id, 'return', { result: 'first draft' });
    const revised = await act(t.http, client, task.id, 'revise', { feedback: 'Please add sources.' });
    expect(revised.body).toMatchObject({ status: 'in_progress', assigneeId: a.user.id, feedback: 'Please add sources.' });
    const second = await act(t.http, a, task.id, 'return', { result: 'second draft with sources' });
    expect(second.body).toMatchObject({ status: 'returned', onTime: true, returnedAt: revised.body.returnedAt });
    await act(t.http, client, task.id, 'accept');
    const { rows } = await t.db.query(`SELECT kind FROM ledger_entries WHERE task_id = $1`, [task.id]);
    expect(rows.map((r: { kind: string }) => r.kind).sort()).toEqual(['charge', 'payout']);
  });

  it('marks a late return onTime=false, keeps it, and bills nothing', async () => {
    const a = await registerAssistant(t.http, ['data_entry']);
    const task = await submitTask(t.http, client);
    await act(t.http, a, task.id, 'claim');
    await act(t.http, a, task.id, 'start');
    await t.db.query(`UPDATE tasks SET deadline = now() - interval '1 minute' WHERE id = $1`, [task.id]);
    const late = await act(t.http, a, task.id, 'return', { result: 'late work' });
    expect(late.body).toMatchObject({ status: 'returned', onTime: false });
    await act(t.http, client, task.id, 'revise', { feedback: 'fix' });
    // Moving the deadline out again never rewrites onTime: it is fixed at the first return.
    await t.db.query(`UPDATE tasks SET deadline = now() + interval '1 day' WHERE id = $1`, [task.id]);
    expect((await act(t.http, a, task.id, 'return', { result: 'fixed' })).body.onTime).toBe(false);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM ledger_entries WHERE task_id = $1`, [task.id])).rows[0].n).toBe(0);
  });

  it('releases a claimed task back to the queue and lets someone else claim it', async () => {
    const a = await registerAssistant(t.http, ['data_entry']);
    const b = await registerAssistant(t.http, ['data_entry']);
    const task = await submitTask(t.http, client);
    await act(t.http, a, task.id, 'claim');
    const released = await act(t.http, a, task.id, 'release');
    expect(released.body).toMatchObject({ status: 'queued', assigneeId: null });
    expect((await act(t.http, b, task.id, 'claim')).body.assigneeId).toBe(b.user.id);
  });

  it('cancels only before work starts, by the client or an admin', async () => {
    const a = await registerAssistant(t.http, ['data_entry']);
    const queued = await submitTask(t.http, client);
    expect((await act(t.http, client, queued.id, 'cancel')).body.status).toBe('cancelled');
    const claimed = await submitTask(t.http, client);
    await act(t.http, a, claimed.id, 'claim');
    expect((await act(t.http, admin, claimed.id, 'cancel')).body).toMatchObject({ status: 'cancelled', assigneeId: null });
    const started = await submitTask(t.http, client);
    await act(t.http, a, started.id, 'claim');
    await act(t.http, a, started.id, 'start');
    const refused = await act(t.http, client, started.id, 'cancel');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ status: 'in_progress', message: 'cannot cancel a task that is in progress' });
    const claimCancelled = await act(t.http, a, queued.id, 'claim');
    expect(claimCancelled.status).toBe(409);
    expect(claimCancelled.body.status).toBe('cancelled');
  });

  it('orders the board and claim-next by priority, then deadline, then age', async () => {
    const org = await registerClient(t.http);
    const a = await registerAssistant(t.http, ['telemarketing']);
    const lowSoon = await submitTask(t.http, org, { category: 'telemarketing', priority: 'low', deadline: inHours(2) });
    const urgentLate = await submitTask(t.http, org, { category: 'telemarketing', priority: 'urgent', deadline: inHours(48) });
    const highLate = await submitTask(t.http, org, { category: 'telemarketing', priority: 'high', deadline: inHours(48) });
    const highSoon = await submitTask(t.http, org, { category: 'telemarketing', priority: 'high', deadline: inHours(5) });
    const highSoonYounger = await submitTask(t.http, org, { category: 'telemarketing', priority: 'high', deadline: highSoon.deadline });
    const expected = [urgentLate, highSoon, highSoonYounger, highLate, lowSoon].map((x) => x.id);
    const board = await t.http.get('/api/tasks/available', { token: a.token });
    expect(board.body.items.map((x: TaskView) => x.id)).toEqual(expected);
    const next = await t.http.post('/api/tasks/claim-next', undefined, { token: a.token });
    expect(next.body.id).toBe(urgentLate.id);
  });

  it('answers claim-next with 204 when nothing fits', async () => {
    const a = await registerAssistant(t.http, ['it_support']);
    const res = await t.http.post('/api/tasks/claim-next', undefined, { token: a.token });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
  });

  it('refuses a claim outside the skills or over capacity with 422 and the reason', async () => {
    const a = await registerAssistant(t.http, ['bookkeeping']);
    const dataEntry = await submitTask(t.http, client);
    const outside = await act(t.http, a, dataEntry.id, 'claim');
    expect(outside.status).toBe(422);
    expect(outside.body.message).toBe('Data entry is not one of your skills');
    await t.http.patch(`/api/users/${a.user.id}`, { maxConcurrentTasks: 1 }, { token: admin.token });
    const first = await submitTask(t.http, client, { category: 'bookkeeping' });
    const second = await submitTask(t.http, client, { category: 'bookkeeping' });
    expect((await act(t.http, a, first.id, 'claim')).status).toBe(200);
    const over = await act(t.http, a, second.id, 'claim');
    expect(over.status).toBe(422);
    expect(over.body.message).toBe('you already hold 1 active task(s), your capacity is 1');
    expect((await t.http.post('/api/tasks/claim-next', undefined, { token: a.token })).status).toBe(422);
    // A returned task no longer counts against capacity.
    await act(t.http, a, first.id, 'start');
    await act(t.http, a, first.id, 'return', { result: 'done' });
    expect((await act(t.http, a, second.id, 'claim')).status).toBe(200);
  });
});

const DRAIN_LIMIT_MS = 10 * 60_000;

describe('tasks: races', () => {
  let t: TestApp;
  let client: Session;
  beforeAll(async () => {
    t = await startTestApp({ DATABASE_POOL_SIZE: '20' });
    client = await registerClient(t.http);
  });
  afterAll(() => t.close());

  it('gives a claim race of 25 assistants exactly one winner; the rest get 409', async () => {
    const assistants = await Promise.all(Array.from({ length: 25 }, () => registerAssistant(t.http, ['scheduling'])));
    const task = await submitTask(t.http, client, { category: 'scheduling' });
    const results = await Promise.all(assistants.map((a) => act(t.http, a, task.id, 'claim')));
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(24);
    for (const loser of results.filter((r) => r.status === 409)) expect(loser.body.status).toBe('claimed');
    const { rows } = await t.db.query(`SELECT assignee_id, version FROM tasks WHERE id = $1`, [task.id]);
    expect(rows[0]).toEqual({ assignee_id: winners[0]!.body.assigneeId, version: 2 });
    const events = await t.db.query(`SELECT count(*)::int AS n FROM task_events WHERE task_id = $1 AND action = 'claim'`, [task.id]);
    expect(events.rows[0].n).toBe(1);
  });

  // Sized by count (200 tasks, about a thousand requests), not by time: 19 s at a load average of 19,
  // and the limit only catches a hang.
  it('lets 20 assistants drain 200 tasks through claim-next: each returned exactly once by its claimer, nobody over capacity', async () => {
    const org = await registerClient(t.http);
    const assistants = await Promise.all(Array.from({ length: 20 }, () => registerAssistant(t.http, ['document_management'])));
    const ids = new Set<string>();
    for (let i = 0; i < 200; i += 20) {
      const batch = await Promise.all(Array.from({ length: 20 }, () => submitTask(t.http, org, { category: 'document_management' })));
      batch.forEach((x) => ids.add(x.id));
    }
    const returnedBy = new Map<string, string[]>();
    let maxActive = 0;
    await Promise.all(
      assistants.map(async (a) => {
        for (;;) {
          const next = await t.http.post<TaskView>('/api/tasks/claim-next', undefined, { token: a.token });
          if (next.status === 204) return;
          expect(next.status).toBe(200);
          const id = next.body.id;
          expect(next.body.assigneeId).toBe(a.user.id);
          const active = await t.db.query(`SELECT count(*)::int AS n FROM tasks WHERE assignee_id = $1 AND status IN ('claimed', 'in_progress')`, [a.user.id]);
          maxActive = Math.max(maxActive, active.rows[0].n);
          expect((await act(t.http, a, id, 'start')).status).toBe(200);
          const ret = await act(t.http, a, id, 'return', { result: `done by ${a.user.id}` });
          expect(ret.status).toBe(200);
          returnedBy.set(id, [...(returnedBy.get(id) ?? []), a.user.id]);
        }
      }),
    );
    expect(returnedBy.size).toBe(200);
    expect([...returnedBy.keys()].every((id) => ids.has(id))).toBe(true);
    expect([...returnedBy.values()].every((who) => who.length === 1)).toBe(true);
    expect(maxActive).toBeLessThanOrEqual(3);
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n, count(DISTINCT e.actor_id) FILTER (WHERE e.actor_id <> t.assignee_id)::int AS mismatched
         FROM tasks t JOIN task_events e ON e.task_id = t.id AND e.action = 'return'
        WHERE t.organization_id = $1`,
      [org.user.organizationId],
    );
    expect(rows[0]).toEqual({ n: 200, mismatched: 0 });
    await checkActiveCounts(t);
  }, DRAIN_LIMIT_MS);

  it('never lets parallel claims by one assistant go over capacity: 12 at once against 3 free slots', async () => {
    const org = await registerClient(t.http);
    const a = await registerAssistant(t.http, ['payroll']);
    // Six claimed by id (low priority), six requests through claim-next, all in flight together.
    // Nine urgent tasks keep claim-next off the ones claimed by id (at most 3 claimed and 5 locked by
    // the other claim-next requests at any moment), so each request can only lose for capacity.
    const byId = await Promise.all(Array.from({ length: 6 }, () => submitTask(t.http, org, { category: 'payroll', priority: 'low' })));
    await Promise.all(Array.from({ length: 9 }, () => submitTask(t.http, org, { category: 'payroll', priority: 'urgent' })));
    const results = await Promise.all([
      ...byId.map((task) => act(t.http, a, task.id, 'claim')),
      ...byId.map(() => t.http.post('/api/tasks/claim-next', undefined, { token: a.token })),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, ...Array(9).fill(422)]);
    for (const r of results.filter((x) => x.status === 422)) expect(r.body.message).toBe('you already hold 3 active task(s), your capacity is 3');
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM tasks WHERE assignee_id = $1`, [a.user.id]);
    expect(rows[0].n).toBe(3);
    await checkActiveCounts(t);
  });

  /** claim-next by each of the team at once: the first two take both lanes and wait on their held rows, the rest gather behind them. */
  async function gatheredClaims(team: Session[]) {
    const hold = new pg.Client({ connectionString: t.config.databaseUrl });
    await hold.connect();
    try {
      await hold.query('BEGIN');
      await hold.query(`SELECT 1 FROM users WHERE id = ANY($1::uuid[]) FOR UPDATE`, [[team[0]!.user.id, team[1]!.user.id]]);
      const claimNext = (s: Session) => t.http.post<TaskView>('/api/tasks/claim-next', undefined, { token: s.token });
      const first = team.slice(0, 2).map(claimNext);
      const waiting = async () => (await t.db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`)).rows[0].n;
      await eventually(waiting, (n) => n >= 2, undefined, 20);
      const rest = team.slice(2).map(claimNext);
      // Every call handed to the claims in hand before the lanes free up: which of them gather is then
      // the code's choice (all that wait go in the next statement), not how fast the machine delivered them.
      await eventually(async () => t.app.get(TasksService).pending().claims, (n) => n === team.length, undefined, 10);
      await hold.query('COMMIT');
      return await Promise.all([...first, ...rest]);
    } finally {
      await hold.end();
    }
  }
  async function claimTeam(category: 'email_management' | 'customer_support', organizationName: string) {
    const org = await registerClient(t.http, { organizationName });
    const team = await Promise.all(Array.from({ length: 12 }, (_, i) => registerAssistant(t.http, [category], { name: `Claimer ${i}` })));
    const tasks = await Promise.all(Array.from({ length: 12 }, () => submitTask(t.http, org, { category })));
    return { team, ids: tasks.map((x) => x.id) };
  }

  it('claims for concurrent claim-next calls together, a distinct task for each at one commit', async () => {
    const { team, ids } = await claimTeam('email_management', 'Gathered claims');
    const answers = await gatheredClaims(team);
    expect(answers.map((a) => a.status)).toEqual(team.map(() => 200));
    answers.forEach((a, i) => {
      expect(a.body).toMatchObject({ status: 'claimed', version: 2, assigneeId: team[i]!.user.id, assigneeName: `Claimer ${i}`, organizationName: 'Gathered claims' });
    });
    expect(new Set(answers.map((a) => a.body.id))).toEqual(new Set(ids));
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS events, count(DISTINCT t.claimed_at)::int AS commits, count(*) FILTER (WHERE e.actor_id = t.assignee_id)::int AS by_claimer
         FROM task_events e JOIN tasks t ON t.id = e.task_id WHERE e.action = 'claim' AND t.id = ANY($1::uuid[])`,
      [ids],
    );
    // now() is the transaction's time: the two held calls commit alone, and the ten that waited behind
    // them, all in hand before the lanes freed up, together in the next statement.
    expect(rows[0]).toEqual({ events: 12, by_claimer: 12, commits: 3 });
    await checkActiveCounts(t);
  });

  it('fails only the claim the database refuses when it shares a call with others', async () => {
    const { team, ids } = await claimTeam('customer_support', 'Poisoned claims');
    const poisoned = team[7]!;
    await t.db.query(`CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'poison' USING ERRCODE = '22007'; END $$`);
    await t.db.query(`CREATE TRIGGER refuse_poison BEFORE INSERT ON task_events FOR EACH ROW WHEN (NEW.actor_id = '${poisoned.user.id}') EXECUTE FUNCTION refuse_poison()`);
    try {
      const answers = await gatheredClaims(team);
      expect(answers.map((a) => a.status)).toEqual(team.map((s) => (s === poisoned ? 400 : 200)));
      const claimed = answers.filter((a) => a.status === 200).map((a) => a.body);
      expect(new Set(claimed.map((x) => x.id)).size).toBe(11);
      const left = await t.db.query(`SELECT count(*)::int AS n FROM tasks WHERE id = ANY($1::uuid[]) AND status = 'queued'`, [ids]);
      expect(left.rows[0].n).toBe(1);
      await checkActiveCounts(t);
    } finally {
      await t.db.query(`DROP TRIGGER refuse_poison ON task_events`);
      await t.db.query(`DROP FUNCTION refuse_poison()`);
    }
    // Its claim refused and nothing of it kept, the poisoned assistant's next call takes the task that is left.
    expect((await t.http.post<TaskView>('/api/tasks/claim-next', undefined, { token: poisoned.token })).body.status).toBe('claimed');
  });

  it('keeps the active count right for rows written straight into the table (an import, a restore)', async () => {
    const a = await registerAssistant(t.http, ['payroll']);
    const task = await submitTask(t.http, client, { category: 'payroll' });
    const count = async () => (await t.db.query(`SELECT active_tasks AS n FROM users WHERE id = $1`, [a.user.id])).rows[0].n;
    // A copy of the task, inserted already claimed: the insert trigger counts it.
    const { rows } = await t.db.query(
      `INSERT INTO tasks (organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency, status, assignee_id, claimed_at)
       SELECT organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency, 'claimed', $2, now() FROM tasks WHERE id = $1
       RETURNING id`,
      [task.id, a.user.id],
    );
    expect(await count()).toBe(1);
    // A queued insert (every submit) and a delete of a task nobody holds leave it alone; deleting the held one gives the slot back.
    await t.db.query(`INSERT INTO tasks (organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency) SELECT organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency FROM tasks WHERE id = $1`, [task.id]);
    expect(await count()).toBe(1);
    await t.db.query(`DELETE FROM tasks WHERE id = $1`, [rows[0].id]);
    expect(await count()).toBe(0);
    await checkActiveCounts(t);
  });

  /** Submissions sent together while the organization's row is held, so they gather behind the first statements' foreign-key checks. */
  async function gatheredSubmits(org: Session, titles: string[]) {
    const hold = new pg.Client({ connectionString: t.config.databaseUrl });
    await hold.connect();
    try {
      await hold.query('BEGIN');
      await hold.query(`SELECT 1 FROM organizations WHERE id = $1 FOR UPDATE`, [org.user.organizationId]);
      const pending = titles.map((title, i) => t.http.post<TaskView>('/api/tasks', taskBody({ title, priority: PRIORITIES[i % PRIORITIES.length] }), { token: org.token }));
      await eventually(async () => (await t.db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`)).rows[0].n, (n) => n >= 1, undefined, 20);
      // All of them handed in before the organization's row is let go, however long the machine took to deliver them.
      await eventually(async () => t.app.get(TasksService).pending().submissions, (n) => n === titles.length, undefined, 10);
      await hold.query('COMMIT');
      return await Promise.all(pending);
    } finally {
      await hold.end();
    }
  }
  const submitted = async (org: Session) =>
    (
      await t.db.query<{ tasks: number; commits: number; events: number; outbox: number }>(
        `SELECT count(*)::int AS tasks, count(DISTINCT created_at)::int AS commits,
                (SELECT count(*)::int FROM task_events e JOIN tasks x ON x.id = e.task_id WHERE x.organization_id = $1 AND e.action = 'submit') AS events
           FROM tasks WHERE organization_id = $1`,
        [org.user.organizationId],
      )
    ).rows[0]!;

  it('commits concurrent submissions together and answers each with its own task at its own price', async () => {
    const org = await registerClient(t.http);
    // Text that an array literal must quote or escape, each kept exactly through the shared statement.
    const odd = ['NULL', 'a "quoted", {braced} \\ title', 'é 😀 it’s', "it's\nmultiline"];
    const titles = Array.from({ length: 30 }, (_, i) => `${odd[i % odd.length]} #${i}`);
    const answers = await gatheredSubmits(org, titles);
    expect(answers.map((a) => a.status)).toEqual(titles.map(() => 201));
    answers.forEach((a, i) => {
      expect(a.body.title).toBe(titles[i]);
      expect(a.body.priceCents).toBe(priceFor(DEFAULT_RATE_CARD.data_entry, PRIORITIES[i % PRIORITIES.length]!));
    });
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(30);
    const counts = await submitted(org);
    expect({ tasks: counts.tasks, events: counts.events }).toEqual({ tasks: 30, events: 30 });
    // now() is the statement's transaction time: the first two went alone into the two lanes and waited
    // on the row; the other 28, all in hand by then, went together in the next statement.
    expect(counts.commits).toBe(3);
    const live = await t.http.get<{ items: TaskView[] }>('/api/tasks?limit=50', { token: org.token });
    expect(live.body.items.map((x) => x.title).sort()).toEqual([...titles].sort());
  });

  it('fails only the submission the database refuses when it shares a statement with others', async () => {
    const org = await registerClient(t.http);
    await t.db.query(`CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'poison' USING ERRCODE = '22007'; END $$`);
    await t.db.query(`CREATE TRIGGER refuse_poison BEFORE INSERT ON tasks FOR EACH ROW WHEN (NEW.title = 'poison') EXECUTE FUNCTION refuse_poison()`);
    try {
      const titles = Array.from({ length: 30 }, (_, i) => (i === 17 ? 'poison' : `Batch ${i}`));
      const answers = await gatheredSubmits(org, titles);
      expect(answers.map((a) => a.status)).toEqual(titles.map((title) => (title === 'poison' ? 400 : 201)));
      answers.forEach((a, i) => a.status === 201 && expect(a.body.title).toBe(titles[i]));
      const counts = await submitted(org);
      expect({ tasks: counts.tasks, events: counts.events }).toEqual({ tasks: 29, events: 29 });
    } finally {
      await t.db.query(`DROP TRIGGER refuse_poison ON tasks`);
    }
  });

  it('makes a retried submit with the same Idempotency-Key create one task, even when the retries race', async () => {
    const body = taskBody({ title: 'Idempotent' });
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.http.post('/api/tasks', body, { token: client.token, headers: { 'idempotency-key': 'submit-abc-1' } })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM tasks WHERE title = 'Idempotent'`);
    expect(rows[0].n).toBe(1);
    expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(7);
    const reused = await t.http.post('/api/tasks', { ...body, title: 'Different' }, { token: client.token, headers: { 'idempotency-key': 'submit-abc-1' } });
    expect(reused.status).toBe(422);
    // Keys belong to a user: another client's identical key creates its own task.
    const other = await registerClient(t.http);
    const theirs = await t.http.post('/api/tasks', body, { token: other.token, headers: { 'idempotency-key': 'submit-abc-1' } });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(results[0]!.body.id);
  });
});

describe('tasks: visibility', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('shows each role only what it may see; everything else is 404', async () => {
    const mine = await registerClient(t.http);
    const theirs = await registerClient(t.http);
    const admin = await loginAdmin(t.http, t.config);
    const worker = await registerAssistant(t.http, ['payroll']);
    const other = await registerAssistant(t.http, ['payroll']);
    const outsider = await registerAssistant(t.http, ['research']);
    const myTask = await submitTask(t.http, mine, { category: 'payroll' });
    const theirTask = await submitTask(t.http, theirs, { category: 'payroll' });

    expect((await t.http.get(`/api/tasks/${theirTask.id}`, { token: mine.token })).status).toBe(404);
    expect((await t.http.get(`/api/tasks/${myTask.id}`, { token: mine.token })).status).toBe(200);
    const myList = await t.http.get('/api/tasks', { token: mine.token });
    expect(myList.body.items.map((x: TaskView) => x.id)).toEqual([myTask.id]);
    expect(JSON.stringify(myList.body)).not.toContain(theirTask.id);
    expect((await t.http.get(`/api/tasks/${myTask.id}`, { token: outsider.token })).status).toBe(404);
    expect((await t.http.get(`/api/tasks/${myTask.id}`, { token: other.token })).status).toBe(200);

    await act(t.http, worker, myTask.id, 'claim');
    // Once claimed, only its assignee among assistants can see it.
    expect((await t.http.get(`/api/tasks/${myTask.id}`, { token: other.token })).status).toBe(404);
    expect((await t.http.get(`/api/tasks/${myTask.id}`, { token: worker.token })).status).toBe(200);
    const workerList = await t.http.get('/api/tasks', { token: worker.token });
    expect(workerList.body.items.map((x: TaskView) => x.id)).toEqual([myTask.id]);
    expect((await t.http.get('/api/tasks', { token: other.token })).body.items).toEqual([]);
    expect((await t.http.get('/api/tasks', { token: admin.token })).body.items).toHaveLength(2);

    // Acting on someone else's task: not found for outsiders, forbidden for the wrong party.
    expect((await act(t.http, other, myTask.id, 'start')).status).toBe(404);
    expect((await act(t.http, other, myTask.id, 'return', { result: 'x' })).status).toBe(404);
    expect((await act(t.http, theirs, myTask.id, 'cancel')).status).toBe(404);
    expect((await act(t.http, mine, myTask.id, 'start')).status).toBe(403);
    await act(t.http, worker, myTask.id, 'start');
    await act(t.http, worker, myTask.id, 'return', { result: 'done' });
    expect((await act(t.http, theirs, myTask.id, 'accept')).status).toBe(404);
    expect((await act(t.http, admin, myTask.id, 'accept')).status).toBe(403);

    // Roles: assistants cannot submit, clients cannot claim, nobody but admins sees the queues.
    expect((await t.http.post('/api/tasks', taskBody(), { token: worker.token })).status).toBe(403);
    expect((await act(t.http, mine, theirTask.id, 'claim')).status).toBe(403);
    expect((await t.http.get('/api/tasks/available', { token: mine.token })).status).toBe(403);
    expect((await t.http.get('/api/admin/queues', { token: mine.token })).status).toBe(403);
    expect((await t.http.get('/api/admin/queues', { token: worker.token })).status).toBe(403);
    expect((await t.http.get('/api/admin/queues', { token: admin.token })).status).toBe(200);
  });
});

describe('tasks: bad input', () => {
  let t: TestApp;
  let client: Session;
  let assistant: Session;
  let task: TaskView;
  beforeAll(async () => {
    t = await startTestApp();
    client = await registerClient(t.http);
    assistant = await registerAssistant(t.http, ['data_entry']);
    task = await submitTask(t.http, client);
  });
  afterAll(() => t.close());

  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['deadline in the past', { deadline: new Date(Date.now() - 60_000).toISOString() }, /^deadline must be in the future$/],
    ['deadline too far ahead', { deadline: inHours(24 * 91) }, /^deadline must be at most 90 days ahead$/],
    ['deadline not a date', { deadline: 'next tuesday' }, /^deadline must be an ISO-8601 date-time$/],
    ['unknown category', { category: 'juggling' }, /^category must be one of/],
    ['unknown priority', { priority: 'asap' }, /^priority must be one of low, normal, high, urgent$/],
    ['empty title', { title: '   ' }, /^title must not be empty$/],
    ['title too long', { title: 'x'.repeat(201) }, /^title must be at most 200 characters$/],
    ['empty instructions', { instructions: '' }, /^instructions must not be empty$/],
    ['instructions too long', { instructions: 'x'.repeat(20_001) }, /^instructions must be at most 20000 characters$/],
    // What PostgreSQL cannot store is refused here, naming the field, not by the database as a 500.
    ['NUL in the title', { title: 'Invoices\u0000March' }, /^title must not contain the NUL character \(U\+0000\)$/],
    ['NUL in the instructions', { instructions: '\u0000' }, /^instructions must not contain the NUL character/],
    ['lone surrogate in the title', { title: 'Invoices \ud83d' }, /^title must not contain an unpaired UTF-16 surrogate/],
    ['lone low surrogate in the instructions', { instructions: '\ude00 first' }, /^instructions must not contain an unpaired UTF-16 surrogate/],
    ['deadline at +16:00', { deadline: inHours(48).replace('Z', '+16:00') }, /^deadline must have a UTC offset between -14:00 and \+14:00$/],
    ['deadline at -23:59', { deadline: inHours(48).replace('Z', '-23:59') }, /^deadline must have a UTC offset between -14:00 and \+14:00$/],
    ['smuggled priceCents', { priceCents: 1 }, /^priceCents is not allowed$/],
    ['smuggled status', { status: 'accepted' }, /^status is not allowed$/],
    ['smuggled assigneeId', { assigneeId: '00000000-0000-4000-8000-000000000000' }, /^assigneeId is not allowed$/],
    ['smuggled organizationId', { organizationId: '00000000-0000-4000-8000-000000000000' }, /^organizationId is not allowed$/],
  ];

  it.each(cases)('submit: %s → 400 naming the field, nothing created', async (_name, patch, message) => {
    const before = (await t.db.query(`SELECT count(*)::int AS n FROM tasks`)).rows[0].n;
    const res = await t.http.post('/api/tasks', { ...taskBody(), ...patch }, { token: client.token });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM tasks`)).rows[0].n).toBe(before);
  });

  it('refuses ids that are not UUIDs, a result that is too long, a return by a non-assignee, an unknown Idempotency-Key shape', async () => {
    expect((await t.http.get('/api/tasks/not-a-uuid', { token: client.token })).body).toMatchObject({ statusCode: 400, message: 'id must be a UUID' });
    expect((await act(t.http, assistant, '123', 'claim')).status).toBe(400);
    await act(t.http, assistant, task.id, 'claim');
    await act(t.http, assistant, task.id, 'start');
    const long = await act(t.http, assistant, task.id, 'return', { result: 'x'.repeat(50_001) });
    expect(long.status).toBe(400);
    expect(long.body.message).toBe('result must be at most 50000 characters');
    const stranger = await registerAssistant(t.http, ['data_entry']);
    expect((await act(t.http, stranger, task.id, 'return', { result: 'mine now' })).status).toBe(404);
    expect((await act(t.http, assistant, task.id, 'return', {})).body.message).toBe('result is required');
    expect((await t.db.query(`SELECT status FROM tasks WHERE id = $1`, [task.id])).rows[0].status).toBe('in_progress');
    const badKey = await t.http.post('/api/tasks', taskBody(), { token: client.token, headers: { 'idempotency-key': 'has spaces in it' } });
    expect(badKey.status).toBe(400);
    expect(badKey.body.message).toMatch(/^Idempotency-Key must be/);
    expect((await t.http.get('/api/tasks?status=nope', { token: client.token })).body.message).toMatch(/^status must be one of/);
    expect((await t.http.get('/api/tasks?limit=0', { token: client.token })).body.message).toBe('limit must be at least 1');
    expect((await act(t.http, client, task.id, 'revise', { feedback: '' })).body.message).toBe('feedback must not be empty');
    expect((await act(t.http, client, task.id, 'revise', { feedback: 'again\u0000' })).body.message).toBe('feedback must not contain the NUL character (U+0000)');
    expect((await act(t.http, assistant, task.id, 'return', { result: '\udbff' })).body.message).toMatch(/^result must not contain an unpaired UTF-16 surrogate/);
    expect((await t.http.get('/api/tasks?cursor=%00', { token: client.token })).body.message).toBe('cursor must not contain the NUL character (U+0000)');
    expect((await t.http.get('/api/tasks?limit=9007199254740993', { token: client.token })).body.message).toBe('limit must be at most 200');
  });

  it('pages through a list with a stable cursor', async () => {
    const org = await registerClient(t.http);
    const made = [];
    for (let i = 0; i < 7; i++) made.push((await submitTask(t.http, org, { title: `Task ${i}` })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: TaskView[]; nextCursor: string | null } } = await t.http.get(`/api/tasks?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: org.token });
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items.map((x) => x.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(made.reverse());
  });

  it('never skips or repeats rows written within the same millisecond', async () => {
    const org = await registerClient(t.http);
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await submitTask(t.http, org, { title: `Same ms ${i}` })).id);
    // Five creation times inside one millisecond, microseconds apart.
    await t.db.query(
      `UPDATE tasks SET created_at = timestamptz '2026-11-20 10:00:00.123' + (array_position($1::uuid[], id) * interval '1 microsecond') WHERE id = ANY($1::uuid[])`,
      [made],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: TaskView[]; nextCursor: string | null } } = await t.http.get(`/api/tasks?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: org.token });
      seen.push(...page.body.items.map((x) => x.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());
  });
});

export { eventually };
