import type { LedgerEntryView } from '@handoff/contracts';
import type { LedgerEntryWithTitle } from './ledger-entry.entity.js';

/** The only shape in which a ledger entry leaves the API. */
export function toEntryView(e: LedgerEntryWithTitle): LedgerEntryView {
  return {
    id: e.id,
    taskId: e.taskId,
    taskTitle: e.taskTitle,
    organizationId: e.organizationId,
    assistantId: e.assistantId,
    kind: e.kind,
    amountCents: e.amountCents,
    currency: e.currency.trim(),
    createdAt: e.createdAt.toISOString(),
    createdBy: e.createdBy,
    reason: e.reason,
  };
}
