import { PRIORITY_MULTIPLIER_BPS, type Priority } from './domain.js';

const BPS = 10_000;

/** Integer division of a non-negative numerator, rounding half up. */
function divRoundHalfUp(numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || numerator < 0) {
    throw new RangeError(`expected a non-negative safe integer, got ${numerator}`);
  }
  const quotient = Math.floor(numerator / denominator);
  const remainder = numerator - quotient * denominator;
  return remainder * 2 >= denominator ? quotient + 1 : quotient;
}

/**
 * The one rounding rule of money: cents times a rate in basis points, rounded
 * half up to the cent. SQL has the same rule as `handoff_bps_of` (migration
 * MoneyRounding); a test holds the two equal over the rate card's range.
 */
export function bpsOf(amountCents: number, bps: number): number {
  return divRoundHalfUp(amountCents * bps, BPS);
}

function assertCents(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}

/** The task's fixed price: the category's base price times the priority multiplier, to the cent. */
export function priceFor(basePriceCents: number, priority: Priority): number {
  assertCents(basePriceCents, 'basePriceCents');
  return bpsOf(basePriceCents, PRIORITY_MULTIPLIER_BPS[priority]);
}

/** Platform fee on a price, rounded half up to the cent; the payout is what remains. */
export function splitPrice(priceCents: number, feeBps: number): { feeCents: number; payoutCents: number } {
  assertCents(priceCents, 'priceCents');
  if (!Number.isInteger(feeBps) || feeBps < 0 || feeBps > BPS) throw new RangeError(`feeBps must be 0..${BPS}, got ${feeBps}`);
  const feeCents = bpsOf(priceCents, feeBps);
  return { feeCents, payoutCents: priceCents - feeCents };
}

export function formatMoney(amountCents: number, currency: string, locale?: string): string {
  // A negated zero (a refund of nothing, shown as money taken off) is still zero: no "-$0.00".
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amountCents === 0 ? 0 : amountCents / 100);
}
