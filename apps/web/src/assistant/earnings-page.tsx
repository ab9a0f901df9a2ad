import { LedgerPage } from '../billing/ledger-page';

export function EarningsPage() {
  return (
    <LedgerPage
      title="Earnings"
      description="Your payouts: the task price minus the platform fee, recorded when you return work on time."
      totalLabel="Earned"
      taskLinkBase="/assistant/tasks"
      empty="Return a task before its deadline and its payout is recorded here."
    />
  );
}
