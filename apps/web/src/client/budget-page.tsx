import { formatMoney, type OrganizationSettingsView } from '@handoff/contracts';
import { Button, Card, Group, NumberInput, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../api/endpoints';
import { errorMessage } from '../api/http';
import { qk } from '../api/query-keys';
import { useUser } from '../auth/auth-context';
import { PageHeader } from '../components/page-header';
import { QueryState } from '../components/query-state';

const CURRENCY = 'USD';

/** The organization's monthly budget: everyone sees it, an owner sets or removes it. */
export function BudgetPage() {
  const user = useUser();
  const organizationId = user.organizationId ?? '';
  const client = useQueryClient();
  const owner = user.orgRole === 'owner';
  const settings = useQuery({ queryKey: qk.organizationSettings(organizationId), queryFn: () => api.organizationSettings(organizationId), enabled: !!organizationId });
  const [amount, setAmount] = useState<number | string>('');
  useEffect(() => {
    if (settings.data) setAmount(settings.data.monthlyBudgetCents === null ? '' : settings.data.monthlyBudgetCents / 100);
  }, [settings.data]);
  const save = useMutation({
    mutationFn: (monthlyBudgetCents: number | null) => api.updateOrganizationSettings(organizationId, { monthlyBudgetCents }),
    onSuccess: (view) => {
      client.setQueryData<OrganizationSettingsView>(qk.organizationSettings(organizationId), view);
      void client.invalidateQueries({ queryKey: ['quote'] });
      notifications.show({ color: 'green', title: 'Budget saved', message: view.monthlyBudgetCents === null ? 'No monthly budget now.' : `${formatMoney(view.monthlyBudgetCents, CURRENCY)} a month.` });
    },
    onError: (e) => notifications.show({ color: 'red', title: 'Not changed', message: errorMessage(e) }),
  });
  const cents = typeof amount === 'number' ? Math.round(amount * 100) : null;
  return (
    <>
      <PageHeader
        title="Budget"
        description="Tasks that would take this month's committed spend (work not yet billed plus what was billed this month) past the budget are refused unless an owner approves them. Owners hear at 80 % and 100 %."
      />
      <QueryState isPending={settings.isPending} error={settings.error} onRetry={() => void settings.refetch()}>
        {settings.data && (
          <Card withBorder padding="lg" maw={480}>
            <Stack gap="md">
              <NumberInput
                label="Monthly budget"
                description={owner ? 'Leave empty for no budget.' : 'Only an owner of the organization changes it.'}
                prefix="$"
                min={0}
                decimalScale={2}
                thousandSeparator=","
                value={amount}
                onChange={setAmount}
                disabled={!owner}
              />
              {owner && (
                <Group>
                  <Button loading={save.isPending} onClick={() => save.mutate(cents)} disabled={cents === settings.data.monthlyBudgetCents}>
                    Save budget
                  </Button>
                  {settings.data.monthlyBudgetCents !== null && (
                    <Button variant="default" loading={save.isPending} onClick={() => save.mutate(null)}>
                      Remove budget
                    </Button>
                  )}
                </Group>
              )}
              <Text size="xs" c="dimmed">
                The month is the calendar month in your organization’s time zone ({settings.data.timeZone}).
              </Text>
            </Stack>
          </Card>
        )}
      </QueryState>
    </>
  );
}
