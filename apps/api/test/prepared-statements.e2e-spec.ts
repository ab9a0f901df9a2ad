import { DataSource } from 'typeorm';
import { DispatchProcessor } from '../src/dispatch/dispatch.processor.js';
import { OutboxRelay } from '../src/events/outbox.relay.js';
import { registerAssistant, registerClient, type Session } from './support/factories.js';
import { submitTask, taskBody } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// One connection per app, so what the app prepared can be read on that same connection.
const ONE_CONNECTION = { DATABASE_POOL_SIZE: '1' };

/** The statements the app's one connection holds prepared. */
async function prepared(t: TestApp): Promise<{ name: string; statement: string }[]> {
  return t.app.get(DataSource).query(`SELECT name, statement FROM pg_prepared_statements ORDER BY name`);
}

describe('prepared statements', () => {
  let on: TestApp;
  let off: TestApp;
  beforeAll(async () => {
    on = await startTestApp(ONE_CONNECTION);
    off = await startTestApp({ ...ONE_CONNECTION, DATABASE_PREPARED_STATEMENTS: 'false' });
  });
  afterAll(async () => {
    await off?.close();
    await on?.close();
  });

  async function submitAndClaim(t: TestApp): Promise<{ client: Session; assistant: Session }> {
    const client = await registerClient(t.http);
    const assistant = await registerAssistant(t.http, ['data_entry']);
    await submitTask(t.http, client, { category: 'data_entry' });
    expect((await t.http.post('/api/tasks/claim-next', undefined, { token: assistant.token })).status).toBe(200);
    return { client, assistant };
  }

  it('the submit and claim statements are planned once per connection, by name', async () => {
    await submitAndClaim(on);
    const statements = await prepared(on);
    const names = statements.map((s) => s.name);
    expect(names.every((n) => /^handoff_[0-9a-f]{24}$/.test(n))).toBe(true);
    expect(statements.some((s) => s.statement.includes('INSERT INTO tasks'))).toBe(true);
    expect(statements.some((s) => s.statement.includes('handoff_claim_next('))).toBe(true);

    // The same statements again reuse those names: nothing new is prepared.
    await submitAndClaim(on);
    expect((await prepared(on)).map((s) => s.name)).toEqual(names);
  });

  it('the relay and the announce read their batch of tasks with a plan made for that call', async () => {
    const client = await registerClient(on.http);
    const task = await submitTask(on.http, client, { category: 'research' });
    await on.app.get(OutboxRelay).flush();
    await on.app.get(DispatchProcessor).announce([{ taskId: task.id, version: task.version }]);
    const statements = (await prepared(on)).map((s) => s.statement);
    // The relay's own statements are prepared, so it ran on this connection with preparing on...
    expect(statements.some((s) => s.includes('FROM outbox'))).toBe(true);
    // ...but a plan cached while the table was small would scan it whole once it has grown.
    expect(statements.filter((s) => s.includes('ANY($1::uuid[])'))).toEqual([]);
  });

  it('DATABASE_PREPARED_STATEMENTS=false sends them unnamed', async () => {
    await submitAndClaim(off);
    expect(await prepared(off)).toEqual([]);
  });

  it('inside a transaction the refused statement answers 503, and the retry with the same key succeeds', async () => {
    const client = await registerClient(on.http);
    const submit = (key: string) => on.http.post<{ status: string }>('/api/tasks', taskBody(), { token: client.token, headers: { 'idempotency-key': key } });
    // An idempotent submit runs its insert inside the key's transaction.
    expect((await submit('before-migration')).status).toBe(201);
    await on.db.query(`ALTER TABLE tasks ADD COLUMN second_migration int`);
    const refused = await submit('after-migration');
    expect([refused.status, refused.body]).toEqual([503, expect.objectContaining({ message: 'the database schema changed under this request; retry' })]);
    const retried = await submit('after-migration');
    expect([retried.status, retried.body.status]).toEqual([201, 'queued']);
    expect((await on.db.query(`SELECT count(*)::int AS n FROM tasks WHERE organization_id = $1`, [client.user.organizationId])).rows[0].n).toBe(2);
  });

  it('outside a transaction the refused statement is run again unnamed, and the call succeeds', async () => {
    const client = await registerClient(on.http);
    const assistant = await registerAssistant(on.http, ['data_entry', 'research']);
    const claim = (id: string) => on.http.post<{ status: string }>(`/api/tasks/${id}/claim`, undefined, { token: assistant.token });
    // A claim by id returns `tasks.*`: prepared by the first claim, refused after a new column changes that.
    const [first, second] = [await submitTask(on.http, client, { category: 'data_entry' }), await submitTask(on.http, client, { category: 'research' })];
    expect((await claim(first.id)).status).toBe(200);
    await on.db.query(`ALTER TABLE tasks ADD COLUMN third_migration int`);
    const claimed = await claim(second.id);
    expect([claimed.status, claimed.body.status]).toEqual([200, 'claimed']);
  });
});
