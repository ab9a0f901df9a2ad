import { Card } from '@mantine/core';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';

export function AdminBillingPage() {
  return (
    <>
      <PageHeader title="Billing" description="Charges, payouts and platform fees per organization." />
      <Card withBorder>
        <EmptyState title="Billing review is coming">
          Charges and payouts are recorded per task as work comes back on time. The summary, CSV export and adjustments will appear on this page.
        </EmptyState>
      </Card>
    </>
  );
}
