import type { PreferredAssistantsView, PreferredAssistantView } from '@handoff/contracts';
import { Card, Stack, Switch, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { errorMessage } from '../api/http';
import { qk } from '../api/query-keys';
import { useUser } from '../auth/auth-context';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { QueryState } from '../components/query-state';

const percent = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${Math.round(r * 100)} %`);

function Track({ assistantId }: { assistantId: string }) {
  const card = useQuery({ queryKey: qk.scorecard(assistantId, 90), queryFn: () => api.scorecard(assistantId, 90) });
  if (!card.data) return <Text size="sm">…</Text>;
  return (
    <Text size="sm">
      {card.data.averageRating === null ? 'No ratings' : `${card.data.averageRating} ★ (${card.data.ratingCount})`} · on time {percent(card.data.onTimeRate)}
    </Text>
  );
}

/** The assistants who worked for the organization, each with a switch: preferred ones hear of new tasks first. */
export function PreferredAssistantsPage() {
  const user = useUser();
  const organizationId = user.organizationId ?? '';
  const client = useQueryClient();
  const query = useQuery({ queryKey: qk.preferredAssistants(organizationId), queryFn: () => api.preferredAssistants(organizationId), enabled: !!organizationId });
  const toggle = useMutation({
    mutationFn: ({ assistantId, preferred }: { assistantId: string; preferred: boolean }) =>
      preferred ? api.prefer(organizationId, assistantId) : api.unprefer(organizationId, assistantId),
    onSuccess: (_r, { assistantId, preferred }) =>
      client.setQueryData<PreferredAssistantsView>(qk.preferredAssistants(organizationId), (held) =>
        held ? { ...held, items: held.items.map((i) => (i.assistantId === assistantId ? { ...i, preferred, preferredAt: preferred ? (i.preferredAt ?? new Date().toISOString()) : null } : i)) } : held,
      ),
    onError: (e) => notifications.show({ color: 'red', title: 'Not changed', message: errorMessage(e) }),
  });
  const minutes = query.data ? Math.round(query.data.headStartSeconds / 60) : null;
  return (
    <>
      <PageHeader
        title="Assistants"
        description={
          minutes === null
            ? undefined
            : minutes > 0
              ? `Your preferred assistants hear of new tasks ${minutes} minute(s) before everyone else; anyone with the skill can still claim them.`
              : 'Your organization has no head start set: everyone hears of new tasks at once.'
        }
      />
      <QueryState isPending={query.isPending} error={query.error} onRetry={() => void query.refetch()}>
        {query.data && query.data.items.length === 0 && <EmptyState title="Nobody yet">Assistants who return work for you appear here.</EmptyState>}
        {query.data && query.data.items.length > 0 && (
          <Card withBorder padding={0}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Assistant</Table.Th>
                  <Table.Th>Tasks returned</Table.Th>
                  <Table.Th>Last 90 days</Table.Th>
                  <Table.Th>Preferred</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {query.data.items.map((a: PreferredAssistantView) => (
                  <Table.Tr key={a.assistantId}>
                    <Table.Td>{a.name}</Table.Td>
                    <Table.Td>{a.tasksReturned}</Table.Td>
                    <Table.Td>
                      <Track assistantId={a.assistantId} />
                    </Table.Td>
                    <Table.Td>
                      <Stack gap={0}>
                        <Switch
                          aria-label={`Prefer ${a.name}`}
                          checked={a.preferred}
                          disabled={toggle.isPending}
                          onChange={(e) => toggle.mutate({ assistantId: a.assistantId, preferred: e.currentTarget.checked })}
                        />
                      </Stack>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Card>
        )}
      </QueryState>
    </>
  );
}
