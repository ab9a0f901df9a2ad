import { BadRequestException } from '@nestjs/common';
import type { Page } from '@handoff/contracts';

// Keyset pagination on (created_at, id): stable under inserts, no OFFSET scans.
export interface Cursor {
  at: string;
  id: string;
}

export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(raw: string | undefined): Cursor | null {
  if (!raw) return null;
  const [at, id] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  if (!at || !id || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw new BadRequestException('cursor is invalid');
  }
  return { at, id };
}

/** Fetch limit + 1 rows, hand back limit of them and a cursor if there was more. */
export function toPage<T, R>(rows: R[], limit: number, view: (r: R) => T, key: (r: R) => { at: Date; id: string }): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor(key(last).at, key(last).id) : null;
  return { items: items.map(view), nextCursor };
}
