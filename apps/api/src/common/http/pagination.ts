import { BadRequestException } from '@nestjs/common';
import type { Page } from '@handoff/contracts';

// Keyset pagination on (created_at, id): stable under inserts, no OFFSET scans.
// The cursor carries created_at as PostgreSQL prints it, to the microsecond:
// a JavaScript Date keeps only milliseconds, and a millisecond cursor would
// skip or repeat rows written within the same millisecond.
export interface Cursor {
  at: string;
  id: string;
}

/** Select this next to a row to page on it: `SELECT t.*, ${cursorColumn('t')} …`. */
export const cursorColumn = (alias: string) => `${alias}.created_at::text AS cursor_at`;

const PG_TIMESTAMPTZ = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`).toString('base64url');
}

export function decodeCursor(raw: string | undefined): Cursor | null {
  if (!raw) return null;
  const [at, id, ...rest] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  if (!at || !id || rest.length || !PG_TIMESTAMPTZ.test(at) || !UUID.test(id)) {
    throw new BadRequestException('cursor is invalid');
  }
  return { at, id };
}

/** Fetch limit + 1 rows (each with `cursor_at`), hand back limit of them and a cursor if there was more. */
export function toPage<T, R>(rows: R[], limit: number, view: (r: R) => T, key: (r: R) => { at: string; id: string }): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor(key(last).at, key(last).id) : null;
  return { items: items.map(view), nextCursor };
}
