import { rooms, type TaskView } from '@handoff/contracts';
import { OutboxRelay } from '../src/events/outbox.relay.js';
import { LiveEvents } from '../src/realtime/live-events.js';
import { addMember, loginAdmin, refreshSession, registerAssistant, registerClient, signIn, signOut, PASSWORD, type Session, type SignedIn } from './support/factories.js';
import { LiveClient } from './support/sockets.js';
import { act, eventually, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Kept rows live a minute here, so a socket ended within seconds can only have been ended by the change's notice.
const LONG = { SESSION_CACHE: '60s' };
// The rule is 2 s; the rest is room for a busy machine. A notice arrives in milliseconds.
const WITHIN_MS = 2_000 + 2_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('live sockets end with the access they were opened with, on every instance', () => {
  let a: TestApp;
  let b: TestApp;
  let admin: Session;
  const sockets: LiveClient[] = [];
  beforeAll(async () => {
    a = await startTestApp(LONG);
    b = await startTestApp(LONG, { shareWith: a });
    admin = await loginAdmin(a.http, a.config);
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await b?.close();
    await a?.close();
  });

  const connect = async (t: TestApp, token: string) => {
    const c = await LiveClient.connect(t.url, token);
    sockets.push(c);
    return c;
  };
  // Either instance's relay may take a row; both emit through the shared adapter.
  const settle = async () => {
    await a.app.get(OutboxRelay).flush();
    await b.app.get(OutboxRelay).flush();
    await sleep(150);
  };
  const updates = (c: LiveClient, task: TaskView) => c.of('task.updated', task.id).map((r) => r.payload.task.version as number);

  /** A member of an organization with a socket on instance B, seen receiving the organization's updates. */
  async function watching(): Promise<{ owner: Session; member: SignedIn; socket: LiveClient; task: TaskView }> {
    const owner = await registerClient(a.http);
    const member = await addMember(a.http, admin, owner);
    const socket = await connect(b, member.token);
    const task = await submitTask(a.http, owner, { category: 'research' });
    await eventually(async () => updates(socket, task), (v) => v.includes(1));
    return { owner, member, socket, task };
  }

  /** The socket is ended within the bound, told why first, and hears nothing of the organization afterwards. */
  async function cutOff(w: Awaited<ReturnType<typeof watching>>, reason: string): Promise<void> {
    await eventually(async () => w.socket.connected, (connected) => !connected, WITHIN_MS);
    expect(w.socket.endedBecause).toEqual([reason]);
    expect(w.socket.disconnectReason).toBe('io server disconnect');
    expect((await act(a.http, w.owner, w.task.id, 'cancel')).status).toBe(200);
    await settle();
    expect(updates(w.socket, w.task)).toEqual([1]);
  }

  it('suspension through instance A ends the user’s socket on instance B', async () => {
    const w = await watching();
    expect((await a.http.patch(`/api/users/${w.member.user.id}`, { suspended: true }, { token: admin.token })).status).toBe(200);
    await cutOff(w, 'revoked');
  });

  it('a deleted user’s socket ends', async () => {
    const w = await watching();
    await a.db.query(`DELETE FROM users WHERE id = $1`, [w.member.user.id]);
    await cutOff(w, 'revoked');
  });

  it('a role change ends the socket (its rooms were chosen for the old role)', async () => {
    const w = await watching();
    await a.db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [w.member.user.id]);
    await cutOff(w, 'revoked');
  });

  it('a token-version bump ends the socket', async () => {
    const w = await watching();
    await a.db.query(`UPDATE users SET token_version = token_version + 1 WHERE id = $1`, [w.member.user.id]);
    await cutOff(w, 'revoked');
  });

  it('signing out on A ends that session’s sockets on B, and only that session’s', async () => {
    const w = await watching();
    // The same user signed in a second time (another browser): a session of its own.
    const other = await signIn(a.http, w.member.user.email);
    const otherSocket = await connect(b, other.token);
    await signOut(a.http, w.member);
    await cutOff(w, 'signed_out');
    expect(otherSocket.connected).toBe(true);
    const next = await submitTask(a.http, w.owner, { category: 'research' });
    await eventually(async () => updates(otherSocket, next), (v) => v.includes(1));
  });

  it('an unrelated change (a name) leaves the socket open', async () => {
    const w = await watching();
    await a.db.query(`UPDATE users SET name = 'Morgan Renamed' WHERE id = $1`, [w.member.user.id]);
    const next = await submitTask(a.http, w.owner, { category: 'research' });
    await eventually(async () => updates(w.socket, next), (v) => v.includes(1));
    expect(w.socket.connected).toBe(true);
    expect(w.socket.endedBecause).toEqual([]);
  });

  describe('when notices cannot be trusted', () => {
    /** A change no notice announces: the users trigger is off while it commits. */
    async function unannounced(sql: string, params: unknown[]): Promise<void> {
      await a.db.query(`ALTER TABLE users DISABLE TRIGGER users_session_updated`);
      try {
        await a.db.query(sql, params);
      } finally {
        await a.db.query(`ALTER TABLE users ENABLE TRIGGER users_session_updated`);
      }
    }

    it('after the listening connections are cut, every socket is checked again', async () => {
      const w = await watching();
      await a.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'handoff-sessions' AND datname = current_database()`);
      await unannounced(`UPDATE users SET suspended = true, token_version = token_version + 1 WHERE id = $1`, [w.member.user.id]);
      await cutOff(w, 'revoked');
    });

    it('with SESSION_CACHE=0 (a pooler that loses notices) sockets are checked without them', async () => {
      const uncached = await startTestApp({ SESSION_CACHE: '0' }, { shareWith: a });
      try {
        const owner = await registerClient(a.http);
        const member = await addMember(a.http, admin, owner);
        const socket = await connect(uncached, member.token);
        const task = await submitTask(a.http, owner, { category: 'research' });
        await eventually(async () => updates(socket, task), (v) => v.includes(1));
        await unannounced(`UPDATE users SET suspended = true, token_version = token_version + 1 WHERE id = $1`, [member.user.id]);
        await cutOff({ owner, member, socket, task }, 'revoked');
      } finally {
        await uncached.close();
      }
    });
  });

  describe('skills', () => {
    it('removing a skill leaves its room before the answer, and adding one joins it, on the instance that made the change', async () => {
      const owner = await registerClient(a.http);
      const x = await registerAssistant(a.http, ['bookkeeping', 'payroll']);
      const y = await registerAssistant(a.http, ['bookkeeping', 'payroll', 'research']);
      for (const s of [x, y]) await a.http.put('/api/assistants/me/availability', { online: true }, { token: s.token });
      expect((await a.http.patch(`/api/users/${y.user.id}`, { maxConcurrentTasks: 10 }, { token: admin.token })).status).toBe(200);
      const socket = await connect(a, x.token);
      const claim = async (task: TaskView) => expect((await act(a.http, y, task.id, 'claim')).status).toBe(200);
      const heard = (task: TaskView) => socket.received.filter((r) => (r.payload.task?.id ?? r.payload.taskId) === task.id).map((r) => r.event);

      // The control: with the skill, the socket hears a task come and go.
      const before = await submitTask(a.http, owner, { category: 'bookkeeping' });
      await eventually(async () => heard(before), (e) => e.includes('task.available'));
      await claim(before);
      await eventually(async () => heard(before), (e) => e.includes('task.unavailable'));

      expect((await a.http.patch(`/api/users/${x.user.id}`, { skills: ['payroll'] }, { token: admin.token })).status).toBe(200);
      const gone = await submitTask(a.http, owner, { category: 'bookkeeping' });
      const kept = await submitTask(a.http, owner, { category: 'payroll' });
      await settle();
      await claim(gone);
      await claim(kept);
      await settle();
      await eventually(async () => heard(kept), (e) => e.includes('task.unavailable'));
      expect(heard(gone)).toEqual([]);

      expect((await a.http.patch(`/api/users/${x.user.id}`, { skills: ['payroll', 'research'] }, { token: admin.token })).status).toBe(200);
      const added = await submitTask(a.http, owner, { category: 'research' });
      await settle();
      await claim(added);
      await eventually(async () => heard(added), (e) => e.includes('task.unavailable'));
      expect(socket.connected).toBe(true);
    });

    it('on the other instance, the socket leaves and joins skill rooms within the bound', async () => {
      const x = await registerAssistant(a.http, ['bookkeeping', 'payroll']);
      const socket = await connect(b, x.token);
      const live = b.app.get(LiveEvents);
      let n = 0;
      const probed = (id: string) => socket.of('task.unavailable', id).length > 0;
      // Emitted on B in this order, so a socket that hears the second has been offered the first.
      const probe = async (room: string): Promise<boolean> => {
        const id = `probe-${room}-${n++}`;
        const control = `control-${n}`;
        live.emit([rooms.skill(room)], 'task.unavailable', { taskId: id, version: 1 });
        live.emit([rooms.skill('payroll')], 'task.unavailable', { taskId: control, version: 1 });
        await eventually(async () => probed(control), (ok) => ok, 5_000, 20);
        return probed(id);
      };
      expect(await probe('bookkeeping')).toBe(true);
      expect(await probe('research')).toBe(false);

      expect((await a.http.patch(`/api/users/${x.user.id}`, { skills: ['payroll', 'research'] }, { token: admin.token })).status).toBe(200);
      await eventually(() => probe('bookkeeping'), (heard) => !heard, WITHIN_MS);
      await eventually(() => probe('research'), (heard) => heard, WITHIN_MS);
      expect(socket.connected).toBe(true);
    });
  });
});

describe('a socket lasts as long as its access token', () => {
  // Tokens live 3 s (2–3 s, since expiry is in whole seconds): long enough to connect, short enough to wait out.
  const TTL_MS = 3_000;
  let t: TestApp;
  let owner: Session;
  const sockets: LiveClient[] = [];
  beforeAll(async () => {
    t = await startTestApp({ ACCESS_TOKEN_TTL: String(TTL_MS) });
    owner = await registerClient(t.http);
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await t?.close();
  });

  const connect = async (token: string) => {
    const c = await LiveClient.connect(t.url, token);
    sockets.push(c);
    return c;
  };
  const fresh = async () => signIn(t.http, owner.user.email, PASSWORD);
  const hears = async (c: LiveClient) => {
    const s = await fresh();
    const task = await submitTask(t.http, s, { category: 'research' });
    await eventually(async () => c.of('task.updated', task.id).length, (n) => n > 0);
  };

  it('ends the socket at its token’s expiry, telling it why', async () => {
    const s = await fresh();
    const socket = await connect(s.token);
    await eventually(async () => socket.connected, (connected) => !connected, TTL_MS + WITHIN_MS);
    expect(socket.endedBecause).toEqual(['expired']);
    const after = await submitTask(t.http, await fresh(), { category: 'research' });
    await t.app.get(OutboxRelay).flush();
    await sleep(300);
    expect(socket.of('task.updated', after.id)).toEqual([]);
  });

  it('keeps a socket that re-authenticates on it before each expiry', async () => {
    let s = await fresh();
    const socket = await connect(s.token);
    // Three lifetimes, renewing well inside each one, as the dashboard does.
    const until = Date.now() + 3 * TTL_MS;
    let renewals = 0;
    while (Date.now() < until) {
      await sleep(500);
      s = await refreshSession(t.http, s);
      expect(await socket.renew(s.token)).toMatchObject({ ok: true });
      renewals++;
    }
    expect(renewals).toBeGreaterThan(3);
    expect(socket.connected).toBe(true);
    await hears(socket);
    expect(socket.endedBecause).toEqual([]);
  });

  it('ends the socket when the renewal carries a bad token, or another user’s', async () => {
    const mine = await connect((await fresh()).token);
    await mine.renew('not-a-token').catch(() => undefined);
    await eventually(async () => mine.connected, (connected) => !connected, WITHIN_MS);
    expect(mine.endedBecause).toEqual(['unauthorized']);

    const other = await registerClient(t.http);
    const theirs = await connect((await fresh()).token);
    await theirs.renew(other.token).catch(() => undefined);
    await eventually(async () => theirs.connected, (connected) => !connected, WITHIN_MS);
    expect(theirs.endedBecause).toEqual(['unauthorized']);
  });
});
