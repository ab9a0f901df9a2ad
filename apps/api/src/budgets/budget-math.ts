import { BUDGET_THRESHOLDS_PCT, type BudgetThresholdPct } from '@handoff/contracts';

/** One budget's month so far: its limit and what is committed against it. */
export interface BudgetState {
  monthlyCents: number;
  committedCents: number;
}

/** The thresholds a spend of `priceCents` takes committed spend across (from below to at or above). */
export function thresholdsCrossed(state: BudgetState, priceCents: number): BudgetThresholdPct[] {
  const before = state.committedCents * 100;
  const after = (state.committedCents + priceCents) * 100;
  return BUDGET_THRESHOLDS_PCT.filter((pct) => before < pct * state.monthlyCents && after >= pct * state.monthlyCents);
}

/** How far past the budget the spend would take it; 0 when it fits. */
export function overBy(state: BudgetState, priceCents: number): number {
  return Math.max(0, state.committedCents + priceCents - state.monthlyCents);
}
