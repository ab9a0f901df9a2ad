import { LedgerPage } from '../billing/ledger-page';

export function StatementPage() {
  return (
    <LedgerPage
      title="Statement"
      description="What your organization has been charged, per task and per month."
      totalLabel="Charged"
      taskLinkBase="/client/tasks"
      empty="You are charged when a task comes back on time. Charges will appear here as your tasks are returned."
    />
  );
}
