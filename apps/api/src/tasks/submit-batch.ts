import type { AuthUser } from '../common/auth/auth-user.js';
import { PRIORITY_MULTIPLIER_BPS, type CreateTaskBody } from '@handoff/contracts';
import { randomUUID } from 'node:crypto';
import type { TaskRow } from './task-row.js';

/**
 * Submissions, any number in one statement: each task at the price the rate
 * card gives now, with its submit event and its outbox row. The ids are made
 * here, so each caller finds its own row; a task whose category has no rate
 * is not inserted and has no row back. Exported so the bench can run the
 * API's own statement without the API around it.
 */
export const SUBMIT_SQL = `
  WITH i AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::task_category[], $6::text[], $7::task_priority[], $8::timestamptz[], $9::int[])
      AS i(id, organization_id, created_by, title, category, instructions, priority, deadline, multiplier_bps)),
  t AS (
    INSERT INTO tasks (id, organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency)
    SELECT i.id, i.organization_id, i.created_by, i.title, i.instructions, i.category, i.priority, i.deadline,
           (r.base_price_cents::bigint * i.multiplier_bps + 5000) / 10000, r.currency
      FROM i JOIN rate_card r ON r.category = i.category
    RETURNING *),
  ev AS (
    INSERT INTO task_events (task_id, action, from_status, to_status, actor_id, actor_role)
    SELECT id, 'submit', NULL, status, created_by, 'client' FROM t),
  ob AS (
    INSERT INTO outbox (topic, payload)
    SELECT 'task', jsonb_build_object('taskId', id, 'version', version, 'action', 'submit', 'from', NULL, 'to', status) FROM t)
  SELECT t.*, NULL AS assignee_name, o.name AS organization_name FROM t JOIN organizations o ON o.id = t.organization_id`;

export interface Submission {
  id: string;
  organizationId: string;
  createdBy: string;
  body: CreateTaskBody;
}

export function submission(user: Pick<AuthUser, 'organizationId' | 'id'>, body: CreateTaskBody): Submission {
  return { id: randomUUID(), organizationId: user.organizationId!, createdBy: user.id, body };
}

/** SUBMIT_SQL's parameters: one array per column, one entry per submission. */
export function submitParams(subs: readonly Submission[]): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 9 }, () => []);
  for (const s of subs) {
    const b = s.body;
    const row = [s.id, s.organizationId, s.createdBy, b.title, b.category, b.instructions, b.priority, b.deadline, PRIORITY_MULTIPLIER_BPS[b.priority]];
    for (let k = 0; k < row.length; k++) cols[k]!.push(row[k]);
  }
  return cols;
}

interface Waiting {
  sub: Submission;
  resolve: (row: TaskRow | undefined) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for submissions. While `lanes` statements are in flight, new
 * submissions wait and all go in the next one, so under load one statement
 * and one commit carry many tasks, and alone a submission goes at once. Run
 * alone through pg, 50 callers, pool 20: one statement per task about 3,000
 * tasks/s; batched, 2 lanes 14,000, 4 lanes 12,000, 8 lanes 9,000 (2 lanes
 * leave the pool to everything else). Each caller still gets its answer only
 * after the commit that holds its task.
 */
export class SubmitBatcher {
  private waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(
    private readonly run: (subs: Submission[]) => Promise<TaskRow[]>,
    private readonly lanes = 2,
    private readonly maxBatch = 500,
  ) {}

  submit(sub: Submission): Promise<TaskRow | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ sub, resolve, reject });
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.lanes && this.waiting.length) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.flush();
      });
    }
  }

  private async send(batch: Waiting[]): Promise<void> {
    try {
      const rows = await this.run(batch.map((w) => w.sub));
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const w of batch) w.resolve(byId.get(w.sub.id));
    } catch (e) {
      if (batch.length === 1) return batch[0]!.reject(e);
      // A statement fails whole; one bad submission must not fail the others, so each goes again alone.
      await Promise.all(batch.map((w) => this.run([w.sub]).then((rows) => w.resolve(rows[0]), w.reject)));
    }
  }
}
