import type { LedgerKind } from '@handoff/contracts';

export const KIND_LABELS: Record<LedgerKind, string> = { charge: 'Charge', payout: 'Payout', refund: 'Refund', adjustment: 'Adjustment' };
export const KIND_COLORS: Record<LedgerKind, string> = { charge: 'grape', payout: 'green', refund: 'orange', adjustment: 'gray' };
