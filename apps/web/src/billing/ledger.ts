import type { LedgerEntryView } from '@handoff/contracts';
import { monthKey } from '../lib/format';

export interface MonthTotal {
  month: string;
  currency: string;
  totalCents: number;
  count: number;
}

/** Sums per calendar month (viewer's time zone) and currency, newest month first. */
export function totalsByMonth(entries: LedgerEntryView[]): MonthTotal[] {
  const map = new Map<string, MonthTotal>();
  for (const e of entries) {
    const month = monthKey(e.createdAt);
    const key = `${month}|${e.currency}`;
    const t = map.get(key) ?? { month, currency: e.currency, totalCents: 0, count: 0 };
    t.totalCents += e.amountCents;
    t.count += 1;
    map.set(key, t);
  }
  return [...map.values()].sort((a, b) => (a.month < b.month ? 1 : a.month > b.month ? -1 : a.currency.localeCompare(b.currency)));
}
