import { createHash } from 'node:crypto';
import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { parseTimestamptz } from './timestamps.js';

// bigint sums and counts come back as strings by default; every amount here
// is far below 2^53, so numbers are the safer shape for the API.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, parseTimestamptz);

/**
 * TypeORM's `query()` answers an UPDATE or DELETE with `[rows, count]` and
 * anything else with `rows`; this returns the rows either way.
 */
/** The row count TypeORM's query() answers for a DELETE or UPDATE ([rows, count]). */
export function deletedCount(result: unknown): number {
  return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
}

/** Takes a transaction-scoped advisory lock named `name` if no other transaction holds it. */
export async function tryAdvisoryXactLock(m: Queryable, name: string): Promise<boolean> {
  const [row] = rowsOf<{ ok: boolean }>(await m.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok`, [name]));
  return row?.ok === true;
}

export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

/** What `query` runs on: a data source, or a manager (inside a transaction, its query runner's). */
export type Queryable = Pick<DataSource | EntityManager, 'query'> & { connection?: object; queryRunner?: { isTransactionActive: boolean } };

const preparing = new WeakSet<object>();

/** From now on `query` sends this data source's statements as named (prepared) statements. */
export function prepareStatements(ds: DataSource): DataSource {
  preparing.add(ds);
  return ds;
}

/**
 * Distinct texts get a name each, up to this many; later ones go unnamed. The
 * texts are the API's own, a few dozen, but a builder that put a value into
 * one would otherwise fill every connection with plans.
 */
const MAX_NAMED = 500;
/** text → its statement name, or null once PostgreSQL refused the prepared form (see `query`). */
const names = new Map<string, string | null>();

function nameOf(text: string): string | null {
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= MAX_NAMED) return null;
    name = `handoff_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * A statement the API sends over and over, as a named statement when its data
 * source prepares them: PostgreSQL parses and plans it once per connection
 * instead of on every call, which for the transition and submit statements
 * (several CTEs, joins, a trigger) is much of their cost.
 *
 * After a migration changes what a `*` in a prepared statement returns,
 * PostgreSQL refuses that statement on every connection that prepared it
 * ("cached plan must not change result type") until the connection closes.
 * This process then sends that text unnamed for the rest of its life, and
 * retries the call unnamed unless a transaction around it has already failed.
 */
export async function query<T>(q: Queryable, text: string, values: unknown[] = []): Promise<T[]> {
  const name = preparing.has(q.connection ?? q) ? nameOf(text) : null;
  if (!name) return rowsOf<T>(await q.query(text, values));
  try {
    // node-postgres takes a query config in place of the text, and writes the values into it: a fresh one every call.
    return rowsOf<T>(await q.query({ name, text } as unknown as string, values));
  } catch (e) {
    if (!isStalePlan(e)) throw e;
    names.set(text, null);
    if (q.queryRunner?.isTransactionActive) throw e;
    return rowsOf<T>(await q.query(text, values));
  }
}

/** PostgreSQL's refusal of a prepared statement whose result a migration changed. */
export function isStalePlan(e: unknown): boolean {
  const err = e as { code?: string; message?: string; driverError?: { code?: string } };
  return (err.code ?? err.driverError?.code) === '0A000' && /cached plan must not change result type/.test(err.message ?? '');
}
