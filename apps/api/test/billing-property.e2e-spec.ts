import { PRIORITIES, splitPrice, type LedgerEntryView, type Priority } from '@handoff/contracts';
import fc from 'fast-check';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import type { Res } from './support/http.js';
import { chargedTask, checkActiveCounts, checkLedgerInvariants, taskBill } from './support/ledger.js';
import { act, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Random work across a few organizations and assistants, against the real API
// and database; afterwards every money rule must hold and the summary must
// agree with the entries it summarizes.

type Op =
  | { op: 'submit'; org: number; priority: Priority }
  | { op: 'claim'; assistant: number; pick: number }
  | { op: 'start'; pick: number }
  | { op: 'return'; pick: number; late: boolean }
  | { op: 'revise'; pick: number }
  | { op: 'accept'; pick: number }
  | { op: 'cancel'; pick: number; byAdmin: boolean }
  | { op: 'cancelTooLate'; pick: number }
  | { op: 'refund'; pick: number; permille: number };

interface ModelTask {
  id: string;
  org: number;
  priceCents: number;
  status: 'queued' | 'claimed' | 'in_progress' | 'returned' | 'accepted' | 'cancelled';
  assignee: number | null;
  onTime: boolean | null;
  refunded: number;
  /** Who earned the payout: the assignee at an on-time first return. */
  paidTo: number | null;
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('submit' as const), org: fc.nat(2), priority: fc.constantFrom(...PRIORITIES) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('claim' as const), assistant: fc.nat(3), pick: fc.nat(9) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('start' as const), pick: fc.nat(9) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('return' as const), pick: fc.nat(9), late: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('revise' as const), pick: fc.nat(9) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('accept' as const), pick: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const), pick: fc.nat(9), byAdmin: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cancelTooLate' as const), pick: fc.nat(9) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('refund' as const), pick: fc.nat(9), permille: fc.integer({ min: 1, max: 1200 }) }) },
);

const CAPACITY = 3;

// Sized by count (20 random sequences of real requests): the limit only catches a hang, which a busy
// machine's slowness (the file took 103 s at a load of about 25) must not reach.
const PROPERTY_LIMIT_MS = 10 * 60_000;

describe('billing: property — random work keeps the ledger right', () => {
  let t: TestApp;
  let admin: Session;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http, t.config);
  });
  afterAll(() => t.close());

  it('holds every invariant and the summary equals the entries after any sequence', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 3 }), fc.integer({ min: 3, max: 4 }), fc.array(opArb, { minLength: 1, maxLength: 20 }), async (orgCount, assistantCount, ops) => {
        const clients = await Promise.all(Array.from({ length: orgCount }, () => registerClient(t.http)));
        const assistants = await Promise.all(Array.from({ length: assistantCount }, () => registerAssistant(t.http, ['data_entry'])));
        const tasks: ModelTask[] = [];
        const active = (a: number) => tasks.filter((x) => x.assignee === a && (x.status === 'claimed' || x.status === 'in_progress')).length;
        const pickFrom = (pick: number, ok: (x: ModelTask) => boolean) => {
          const candidates = tasks.filter(ok);
          return candidates.length ? candidates[pick % candidates.length]! : null;
        };
        const expectStatus = (res: Res, status: number, what: string) => {
          if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
        };

        for (const o of ops) {
          switch (o.op) {
            case 'submit': {
              const org = o.org % orgCount;
              const task = await submitTask(t.http, clients[org]!, { priority: o.priority });
              tasks.push({ id: task.id, org, priceCents: task.priceCents, status: 'queued', assignee: null, onTime: null, refunded: 0, paidTo: null });
              break;
            }
            case 'claim': {
              const task = pickFrom(o.pick, (x) => x.status === 'queued');
              if (!task) break;
              const a = o.assistant % assistantCount;
              const res = await act(t.http, assistants[a]!, task.id, 'claim');
              if (active(a) >= CAPACITY) {
                expectStatus(res, 422, 'claim over capacity');
                break;
              }
              expectStatus(res, 200, 'claim');
              Object.assign(task, { status: 'claimed', assignee: a });
              break;
            }
            case 'start': {
              const task = pickFrom(o.pick, (x) => x.status === 'claimed');
              if (!task) break;
              expectStatus(await act(t.http, assistants[task.assignee!]!, task.id, 'start'), 200, 'start');
              task.status = 'in_progress';
              break;
            }
            case 'return': {
              const task = pickFrom(o.pick, (x) => x.status === 'in_progress');
              if (!task) break;
              await t.db.query(`UPDATE tasks SET deadline = now() + $2::interval WHERE id = $1`, [task.id, o.late ? '-1 minute' : '1 day']);
              const res = await act(t.http, assistants[task.assignee!]!, task.id, 'return', { result: 'done' });
              expectStatus(res, 200, 'return');
              // On time is decided at the first return and never again.
              if (task.onTime === null) {
                task.onTime = !o.late;
                if (task.onTime) task.paidTo = task.assignee;
              }
              if (res.body.onTime !== task.onTime) throw new Error(`return: onTime ${res.body.onTime}, model ${task.onTime}`);
              task.status = 'returned';
              break;
            }
            case 'revise': {
              const task = pickFrom(o.pick, (x) => x.status === 'returned');
              if (!task) break;
              expectStatus(await act(t.http, clients[task.org]!, task.id, 'revise', { feedback: 'again' }), 200, 'revise');
              task.status = 'in_progress';
              break;
            }
            case 'accept': {
              const task = pickFrom(o.pick, (x) => x.status === 'returned');
              if (!task) break;
              expectStatus(await act(t.http, clients[task.org]!, task.id, 'accept'), 200, 'accept');
              task.status = 'accepted';
              break;
            }
            case 'cancel': {
              const task = pickFrom(o.pick, (x) => x.status === 'queued' || x.status === 'claimed');
              if (!task) break;
              expectStatus(await act(t.http, o.byAdmin ? admin : clients[task.org]!, task.id, 'cancel'), 200, 'cancel');
              Object.assign(task, { status: 'cancelled', assignee: null });
              break;
            }
            case 'cancelTooLate': {
              const task = pickFrom(o.pick, (x) => x.status === 'in_progress' || x.status === 'returned' || x.status === 'accepted');
              if (!task) break;
              expectStatus(await act(t.http, clients[task.org]!, task.id, 'cancel'), 409, 'cancel after start');
              break;
            }
            case 'refund': {
              const task = pickFrom(o.pick, (x) => x.onTime !== null);
              if (!task) break;
              const amountCents = Math.max(1, Math.floor((task.priceCents * o.permille) / 1000));
              const res = await t.http.post('/api/billing/adjustments', { taskId: task.id, kind: 'refund', amountCents, reason: 'property' }, { token: admin.token });
              const allowed = task.onTime === true && task.refunded + amountCents <= task.priceCents;
              expectStatus(res, allowed ? 201 : 422, `refund of ${amountCents} (${task.refunded} of ${task.priceCents} refunded, onTime ${task.onTime})`);
              if (allowed) task.refunded += amountCents;
              break;
            }
          }
        }

        await checkLedgerInvariants(t, t.config.platformFeeBps);
        await checkActiveCounts(t);
        await checkSummaryAgainstEntries(t, admin);

        // This run's organizations: the summary row matches the model, and each client sees exactly its own charges and refunds.
        const summary = await t.http.get(`/api/billing/summary?from=2000-01-01T00:00:00Z&to=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}`, { token: admin.token });
        for (let org = 0; org < orgCount; org++) {
          const mine = tasks.filter((x) => x.org === org);
          const billed = mine.filter((x) => x.onTime === true);
          const row = summary.body.organizations.find((r: { organizationId: string }) => r.organizationId === clients[org]!.user.organizationId);
          const expected = {
            tasksBilled: billed.length,
            chargedCents: billed.reduce((s, x) => s + x.priceCents, 0),
            feeCents: billed.reduce((s, x) => s + splitPrice(x.priceCents, t.config.platformFeeBps).feeCents, 0),
            refundedCents: billed.reduce((s, x) => s + x.refunded, 0),
            lateTasks: mine.filter((x) => x.onTime === false).length,
          };
          if (expected.tasksBilled === 0 && expected.lateTasks === 0) expect(row).toBeUndefined();
          else expect(row).toMatchObject(expected);

          const seen = await allEntries(t, clients[org]!);
          expect(seen.every((e) => e.organizationId === clients[org]!.user.organizationId && e.kind !== 'payout')).toBe(true);
          expect(seen.filter((e) => e.kind === 'charge').map((e) => e.taskId).sort()).toEqual(billed.map((x) => x.id).sort());
        }
        for (let a = 0; a < assistantCount; a++) {
          const seen = await allEntries(t, assistants[a]!);
          expect(seen.every((e) => e.kind === 'payout' && e.assistantId === assistants[a]!.user.id)).toBe(true);
          expect(seen.map((e) => e.taskId).sort()).toEqual(tasks.filter((x) => x.paidTo === a).map((x) => x.id).sort());
        }
      }),
      { numRuns: 20 },
    );
  }, PROPERTY_LIMIT_MS);
});

// Corrections fired in random concurrent batches at one charged task, each batch
// checked against the ledger in SQL. Within a batch the corrections take turns
// in an order nobody chose, so the model cannot say which of them land; it can
// say what every order must give: the bill never below zero, refunds within
// the charge plus what positive adjustments added, exactly the answered entries
// in the ledger, positive adjustments always taken, and no refusal of what the
// bill could take in every order: not even after all the batch's accepted
// refunds and credits.
type Correction = { kind: 'refund'; permille: number } | { kind: 'adjustment'; permille: number };

const correctionArb: fc.Arbitrary<Correction> = fc.oneof(
  fc.record({ kind: fc.constant('refund' as const), permille: fc.integer({ min: 1, max: 1200 }) }),
  fc.record({ kind: fc.constant('adjustment' as const), permille: fc.integer({ min: -1200, max: 600 }).filter((p) => p !== 0) }),
);

describe('billing: property — corrections in random concurrent batches', () => {
  let t: TestApp;
  let admin: Session;
  let client: Session;
  let assistant: Session;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http, t.config);
    client = await registerClient(t.http);
    assistant = await registerAssistant(t.http, ['data_entry']);
  });
  afterAll(() => t.close());

  it('never takes a task’s bill below zero, whatever the order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(correctionArb, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 4 }), async (batches) => {
        const task = await chargedTask(t, client, assistant);
        const price = task.priceCents;
        let net = price;
        let corrections = 0;
        for (const batch of batches) {
          const signed = batch.map((c) => {
            const cents = Math.max(1, Math.floor((price * Math.abs(c.permille)) / 1000)) * Math.sign(c.permille);
            return { kind: c.kind, amountCents: cents, delta: c.kind === 'refund' ? -cents : cents };
          });
          const answers = await Promise.all(
            signed.map((c) => t.http.post('/api/billing/adjustments', { taskId: task.id, kind: c.kind, amountCents: c.amountCents, reason: 'property' }, { token: admin.token })),
          );
          let lost = 0;
          let moved = 0;
          const landed: string[] = [];
          answers.forEach((res, i) => {
            const c = signed[i]!;
            if (res.status === 201) {
              landed.push(res.body.id);
              moved += c.delta;
              if (c.delta < 0) lost += c.delta;
            } else if (res.status !== 422 || !/^amountCents /.test(res.body.message)) {
              throw new Error(`${c.kind} ${c.amountCents}: ${res.status} ${JSON.stringify(res.body)}`);
            }
          });
          answers.forEach((res, i) => {
            const c = signed[i]!;
            if (res.status !== 422) return;
            // The least this correction could have met is the bill before the batch less everything that landed to reduce it.
            if (c.delta > 0 || net + lost + c.delta >= 0) throw new Error(`${c.kind} ${c.amountCents} refused with the bill at ${net} and ${-lost} taken off in its batch`);
          });
          net += moved;
          corrections += landed.length;
          const bill = await taskBill(t, task.id);
          expect(bill.net).toBeGreaterThanOrEqual(0);
          expect(bill.refunded).toBeLessThanOrEqual(bill.charged + bill.added);
          expect(bill).toMatchObject({ charged: price, net, corrections });
          const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM ledger_entries WHERE id = ANY($1::uuid[]) AND task_id = $2`, [landed, task.id]);
          expect(rows[0].n).toBe(landed.length);
        }
      }),
      { numRuns: 40 },
    );
    await checkLedgerInvariants(t, t.config.platformFeeBps);
  }, 120_000);
});

async function allEntries(t: TestApp, s: Session, filter = ''): Promise<LedgerEntryView[]> {
  const out: LedgerEntryView[] = [];
  let cursor: string | null = null;
  do {
    const res: Res<{ items: LedgerEntryView[]; nextCursor: string | null }> = await t.http.get(
      `/api/billing/entries?limit=200${filter}${cursor ? `&cursor=${cursor}` : ''}`,
      { token: s.token },
    );
    if (res.status !== 200) throw new Error(`entries: ${res.status} ${JSON.stringify(res.body)}`);
    out.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return out;
}

/** The summary's totals, recomputed from the entries the API lists (so both the aggregate and the list are on trial). */
async function checkSummaryAgainstEntries(t: TestApp, admin: Session): Promise<void> {
  const entries = await allEntries(t, admin);
  const to = encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString());
  // A long period and a short one that starts mid-day: the chart is computed differently for each.
  const since = encodeURIComponent(new Date(Date.now() - 36 * 3_600_000).toISOString());
  for (const from of ['2000-01-01T00:00:00Z', since]) {
    await checkPeriod(t, admin, entries, from, to);
  }
}

async function checkPeriod(t: TestApp, admin: Session, entries: LedgerEntryView[], from: string, to: string): Promise<void> {
  const summary = await t.http.get(`/api/billing/summary?from=${from}&to=${to}`, { token: admin.token });
  expect(summary.status).toBe(200);
  const sum = (kind: string) => entries.filter((e) => e.kind === kind).reduce((s, e) => s + e.amountCents, 0);
  const totals = summary.body.totals[0] ?? { tasksBilled: 0, chargedCents: 0, paidOutCents: 0, feeCents: 0, refundedCents: 0, adjustedCents: 0 };
  expect(totals).toMatchObject({
    tasksBilled: entries.filter((e) => e.kind === 'charge').length,
    chargedCents: sum('charge'),
    paidOutCents: sum('payout'),
    feeCents: sum('charge') - sum('payout'),
    refundedCents: sum('refund'),
    adjustedCents: sum('adjustment'),
  });
  const days = summary.body.days as { chargedCents: number; paidOutCents: number }[];
  expect(days.reduce((s, d) => s + d.chargedCents, 0)).toBe(sum('charge'));
  expect(days.reduce((s, d) => s + d.paidOutCents, 0)).toBe(sum('payout'));
  const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM tasks WHERE on_time = false`);
  expect(totals.lateTasks ?? 0).toBe(rows[0].n);
}
