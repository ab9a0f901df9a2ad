import { BUDGET_EXCEEDED, formatMoney, type BudgetRefusal, type BudgetStanding } from '@handoff/contracts';
import { Alert, Button, Text } from '@mantine/core';
import { isApiError } from '../api/http';

/** "$12.00 left this month of $100.00", in red once nothing is left. */
export function BudgetRemaining({ standing, currency, label = 'Budget' }: { standing: BudgetStanding; currency: string; label?: string }) {
  const left = standing.remainingCents;
  return (
    <Text size="sm" c={left <= 0 ? 'red' : 'dimmed'} data-testid="budget-remaining">
      {label}: {left >= 0 ? `${formatMoney(left, currency)} remaining this month` : `${formatMoney(-left, currency)} over this month`} of{' '}
      {formatMoney(standing.monthlyCents, currency)}
    </Text>
  );
}

/** The refusal of a submission for its budget, when that is what the error is. */
export function budgetRefusalOf(error: unknown): BudgetRefusal | null {
  if (!isApiError(error, 422)) return null;
  const body = error.body as Partial<BudgetRefusal> | null;
  return body?.code === BUDGET_EXCEEDED ? (body as BudgetRefusal) : null;
}

/** Why the task was refused, by how much, and for an owner the way past it. */
export function BudgetRefusalAlert({ refusal, canApprove, approving, onApprove }: { refusal: BudgetRefusal; canApprove: boolean; approving: boolean; onApprove: () => void }) {
  return (
    <Alert color="orange" title={refusal.scope === 'template' ? 'Over the template’s monthly budget' : 'Over the monthly budget'} role="alert">
      <Text size="sm">{refusal.message}</Text>
      {canApprove ? (
        <Button mt="sm" size="xs" color="orange" loading={approving} onClick={onApprove}>
          Approve the {formatMoney(refusal.overByCents, refusal.currency)} overage and submit
        </Button>
      ) : (
        <Text size="xs" mt="xs" c="dimmed">
          Ask an owner of your organization to approve it or raise the budget.
        </Text>
      )}
    </Alert>
  );
}
