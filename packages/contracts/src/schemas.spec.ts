import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  adjustmentBody,
  billingEntriesQuery,
  billingExportQuery,
  billingPeriodQuery,
  createTaskBody,
  createUserBody,
  earningsQuery,
  failedJobsQuery,
  isoDate,
  listQuery,
  listTasksQuery,
  loginBody,
  NUL_MESSAGE,
  quoteBody,
  rateCardBody,
  registerBody,
  retryJobsBody,
  returnTaskBody,
  reviseTaskBody,
  statementQuery,
  SURROGATE_MESSAGE,
  text,
  updateUserBody,
} from './index.js';

const at = (offset: string) => `2026-06-01T12:00:00${offset}`;
const pad = (n: number) => String(n).padStart(2, '0');
const firstIssue = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value);
  return r.success ? null : { path: r.error.issues[0]!.path.join('.'), message: r.error.issues[0]!.message };
};

describe('text', () => {
  const title = text(200);

  it('refuses NUL anywhere, which PostgreSQL cannot store', () => {
    for (const v of ['\u0000', 'a\u0000', '\u0000b', 'Invoice \u0000 March']) expect(firstIssue(title, v)).toEqual({ path: '', message: NUL_MESSAGE });
  });

  it('refuses half of a surrogate pair, high or low, alone or at either end', () => {
    for (const v of ['\ud800', '\udfff', 'a\ud83d', '\ude00b', 'x\udc00\ud800y', '😀\ud83d']) expect(firstIssue(title, v)).toEqual({ path: '', message: SURROGATE_MESSAGE });
  });

  it('keeps whole pairs, other control characters and every plane', () => {
    for (const v of ['😀 it’s', 'tab\there', 'line\nbreak', '\u0001\u001f\u007f', '𝄞 \uffff', '中文']) expect(title.parse(v)).toBe(v.trim());
  });
});

describe('isoDate', () => {
  it('takes Z and every offset up to ±14:00', () => {
    for (const v of [at('Z'), at('+00:00'), at('+05:30'), at('-12:00'), at('+14:00'), at('-14:00'), '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z']) {
      expect(isoDate.safeParse(v).success).toBe(true);
    }
  });

  it('refuses every offset from ±14:01 to ±23:59 (PostgreSQL refuses ±16:00 and beyond)', () => {
    let refused = 0;
    for (const sign of ['+', '-']) {
      for (let minutes = 14 * 60 + 1; minutes < 24 * 60; minutes++) {
        expect(firstIssue(isoDate, at(`${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`))).toEqual({ path: '', message: 'must have a UTC offset between -14:00 and +14:00' });
        refused++;
      }
    }
    expect(refused).toBe(2 * (9 * 60 + 59));
    for (const v of [at('+24:00'), at('-99:99'), at('+1600'), at('+16')]) expect(firstIssue(isoDate, v)?.message).toBe('must be an ISO-8601 date-time');
  });

  it('refuses instants outside the years 0001 to 9999 in UTC', () => {
    for (const v of ['0000-01-01T00:00:00Z', '0001-01-01T00:00:00+01:00', '9999-12-31T23:59:59-01:00']) {
      expect(firstIssue(isoDate, v)).toEqual({ path: '', message: 'must be between 0001-01-01 and 9999-12-31 in UTC' });
    }
  });
});

const deadline = () => new Date(Date.now() + 86_400_000).toISOString();
const uuid = '00000000-0000-4000-8000-000000000000';
/** Every request schema with a valid value, and the fields a client fills in. */
const SCHEMAS: [string, z.ZodType, () => Record<string, unknown>][] = [
  ['registerBody', registerBody, () => ({ email: 'a@example.com', password: 'correct-horse', name: 'A', role: 'client', organizationName: 'Org' })],
  ['loginBody', loginBody, () => ({ email: 'a@example.com', password: 'correct-horse' })],
  ['createUserBody', createUserBody, () => ({ email: 'a@example.com', password: 'correct-horse', name: 'A', role: 'client', organizationName: 'Org' })],
  ['updateUserBody', updateUserBody, () => ({ maxConcurrentTasks: 3 })],
  ['quoteBody', quoteBody, () => ({ category: 'research', priority: 'high' })],
  ['createTaskBody', createTaskBody, () => ({ title: 'T', instructions: 'I', category: 'research', priority: 'low', deadline: deadline() })],
  ['returnTaskBody', returnTaskBody, () => ({ result: 'R' })],
  ['reviseTaskBody', reviseTaskBody, () => ({ feedback: 'F' })],
  ['rateCardBody', rateCardBody, () => ({ basePriceCents: 2500 })],
  ['adjustmentBody', adjustmentBody, () => ({ taskId: uuid, kind: 'adjustment', amountCents: -5, reason: 'goodwill' })],
  ['retryJobsBody', retryJobsBody, () => ({ jobIds: ['job-1'] })],
  ['listQuery', listQuery, () => ({ limit: '5', cursor: 'abc' })],
  ['listTasksQuery', listTasksQuery, () => ({ limit: '5', cursor: 'abc', status: 'queued', category: 'research' })],
  ['failedJobsQuery', failedJobsQuery, () => ({ limit: '5' })],
  ['billingEntriesQuery', billingEntriesQuery, () => ({ limit: '5', kind: 'charge', from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00+01:00' })],
  ['billingExportQuery', billingExportQuery, () => ({ organizationId: uuid, from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' })],
  ['billingPeriodQuery', billingPeriodQuery, () => ({ from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' })],
  ['statementQuery', statementQuery, () => ({ month: '2026-03', organizationId: uuid })],
  ['earningsQuery', earningsQuery, () => ({ from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z', groupBy: 'day' })],
];

/** A value of the same kind as `v` that PostgreSQL could not take, or a number past 2^53. */
function poisons(v: unknown): unknown[] {
  if (typeof v === 'number') return [2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, Number.MAX_VALUE];
  if (typeof v !== 'string') return [];
  const out = [`${v}\u0000`, `\u0000${v}`, `${v}\ud800`, `\udc00${v}`];
  if (/^\d{4}-\d{2}-\d{2}T/.test(v)) out.push(v.replace(/(Z|[+-]\d{2}:\d{2})$/, '+16:00'), v.replace(/(Z|[+-]\d{2}:\d{2})$/, '-23:59'));
  // Query strings arrive as text: a limit past 2^53 is a string of digits.
  if (/^\d+$/.test(v)) out.push('9007199254740993', '1e21');
  return out;
}

describe('every request schema', () => {
  it.each(SCHEMAS)('%s takes its valid value and refuses a poisoned field at that field', (_name, schema, valid) => {
    expect(schema.safeParse(valid()).success).toBe(true);
    let checked = 0;
    for (const [field, value] of Object.entries(valid())) {
      const cases = Array.isArray(value) ? poisons(value[0]).map((p) => [`${field}.0`, [p]] as const) : poisons(value).map((p) => [field, p] as const);
      for (const [path, poisoned] of cases) {
        const issue = firstIssue(schema, { ...valid(), [field]: poisoned });
        expect({ field, poisoned, path: issue?.path }).toEqual({ field, poisoned, path });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('numbers past 2^53', () => {
  it('are told the field range, not that they are not integers (JSON cannot say which integer they were)', () => {
    for (const n of [2 ** 53, 2 ** 53 + 2, 1e21, Number.MAX_VALUE]) {
      expect(firstIssue(rateCardBody, { basePriceCents: n })).toEqual({ path: 'basePriceCents', message: 'must be at most 10000000' });
      expect(firstIssue(updateUserBody, { maxConcurrentTasks: n })).toEqual({ path: 'maxConcurrentTasks', message: 'must be at most 50' });
      expect(firstIssue(adjustmentBody, { taskId: uuid, kind: 'refund', amountCents: -n, reason: 'r' })).toEqual({ path: 'amountCents', message: 'is too large' });
      expect(firstIssue(listQuery, { limit: String(n) })).toEqual({ path: 'limit', message: 'must be at most 200' });
    }
  });
});
