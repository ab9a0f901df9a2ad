import { CATEGORY_LABELS, LIMITS, updateUserBody, type Category, type Role, type UpdateUserBody, type UserView } from '@handoff/contracts';
import { Badge, Button, Card, Group, Modal, NumberInput, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/endpoints';
import { errorMessage } from '../api/http';
import { qk } from '../api/query-keys';
import { useUser } from '../auth/auth-context';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { ErrorAlert, QueryState } from '../components/query-state';
import { SkillsField } from '../components/skills-field';
import { loadedOnlyHint, SortableTh, useSort, type SortColumns } from '../components/sortable';
import { ScorecardCard } from '../quality/scorecard-card';
import { contractResolver, focusFirstError, formLevelError, showServerFieldError } from '../forms/contract-form';

const ROLE_FILTERS = [
  { value: 'all', label: 'Everyone' },
  { value: 'client', label: 'Clients' },
  { value: 'assistant', label: 'Assistants' },
  { value: 'admin', label: 'Admins' },
];
const ROLE_COLORS: Record<Role, string> = { client: 'blue', assistant: 'teal', admin: 'grape' };
const ROLE_LABELS: Record<Role, string> = { client: 'Client', assistant: 'Assistant', admin: 'Admin' };

type PersonColumn = 'name' | 'role' | 'organization' | 'capacity' | 'status';
const COLUMNS: SortColumns<UserView, PersonColumn> = {
  name: (u) => u.name,
  role: (u) => ROLE_LABELS[u.role],
  organization: (u) => (u.role === 'assistant' ? (u.skills ?? []).map((s) => CATEGORY_LABELS[s]).join(', ') : u.organizationName),
  capacity: (u) => (u.role === 'assistant' ? (u.maxConcurrentTasks ?? null) : null),
  status: (u) => (u.suspended ? 'Suspended' : 'Active'),
};

function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateUserBody }) => api.updateUser(id, body),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['users'] }),
  });
}

export function PeoplePage() {
  const me = useUser();
  const [role, setRole] = useState('all');
  const [editing, setEditing] = useState<UserView | null>(null);
  const [scoring, setScoring] = useState<UserView | null>(null);
  const users = useQuery({ queryKey: qk.users(role), queryFn: () => api.listUsers(role === 'all' ? undefined : (role as Role)) });
  const update = useUpdateUser();

  const toggleSuspended = (u: UserView) =>
    update.mutate(
      { id: u.id, body: { suspended: !u.suspended } },
      {
        onSuccess: () => notifications.show({ message: `${u.name} ${u.suspended ? 'reinstated' : 'suspended'}.`, color: 'green' }),
        onError: (e) => notifications.show({ title: 'Could not change the account', message: errorMessage(e), color: 'red' }),
      },
    );

  const loaded = users.data?.items ?? [];
  const { sorted: items, sort, toggle } = useSort(loaded, COLUMNS);
  // The list is one page of up to 200; with more behind it, sorting covers only what came.
  const th = { sort, onSort: toggle, hint: users.data?.nextCursor ? loadedOnlyHint(loaded.length, 'people') : undefined };

  return (
    <>
      <PageHeader
        title="People"
        description="Clients, assistants and admins. Suspend an account to stop it signing in or acting."
        actions={<SegmentedControl aria-label="Show" value={role} onChange={setRole} data={ROLE_FILTERS} />}
      />
      <Card withBorder padding={0}>
        <QueryState isPending={users.isPending} error={users.error} onRetry={() => void users.refetch()}>
          {items.length === 0 ? (
            <EmptyState title="Nobody here yet">People appear here when they register.</EmptyState>
          ) : (
            <Table.ScrollContainer minWidth={960} type="native">
              <Table verticalSpacing="sm" highlightOnHover aria-label="People">
                <Table.Thead>
                  <Table.Tr>
                    <SortableTh column="name" {...th}>
                      Name
                    </SortableTh>
                    <SortableTh column="role" {...th}>
                      Role
                    </SortableTh>
                    <SortableTh column="organization" {...th}>
                      Organization / skills
                    </SortableTh>
                    <SortableTh column="capacity" {...th}>
                      Capacity
                    </SortableTh>
                    <SortableTh column="status" {...th}>
                      Status
                    </SortableTh>
                    <Table.Th ta="right">Actions</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((u) => (
                    <Table.Tr key={u.id} data-testid={`user-row-${u.id}`}>
                      <Table.Td>
                        <Text fw={600} size="sm">
                          {u.name}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {u.email}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Badge variant="light" color={ROLE_COLORS[u.role]}>
                          {ROLE_LABELS[u.role]}
                        </Badge>
                      </Table.Td>
                      <Table.Td maw={320}>
                        {u.role === 'assistant' ? (
                          <Group gap={4}>
                            {(u.skills ?? []).map((s) => (
                              <Badge key={s} size="xs" variant="outline" color="gray">
                                {CATEGORY_LABELS[s]}
                              </Badge>
                            ))}
                          </Group>
                        ) : (
                          <Text size="sm">{u.organizationName ?? (u.role === 'admin' ? 'Handoff' : '—')}</Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        {u.role === 'assistant' ? (
                          <Group gap={6} wrap="nowrap" style={{ whiteSpace: 'nowrap' }}>
                            <Text size="sm">{u.maxConcurrentTasks ?? '—'} at once</Text>
                            {u.online && (
                              <Badge size="xs" color="green" variant="dot">
                                online
                              </Badge>
                            )}
                          </Group>
                        ) : (
                          <Text size="sm" c="dimmed">
                            —
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Badge color={u.suspended ? 'red' : 'green'} variant="light" data-testid="user-status">
                          {u.suspended ? 'Suspended' : 'Active'}
                        </Badge>
                      </Table.Td>
                      <Table.Td ta="right">
                        <Group gap={6} justify="flex-end" wrap="nowrap">
                          {u.role === 'assistant' && (
                            <Button size="xs" variant="default" onClick={() => setScoring(u)}>
                              Scorecard
                            </Button>
                          )}
                          {u.role === 'assistant' && (
                            <Button size="xs" variant="default" onClick={() => setEditing(u)}>
                              Edit
                            </Button>
                          )}
                          {u.id !== me.id && (
                            <Button
                              size="xs"
                              variant="light"
                              color={u.suspended ? 'green' : 'red'}
                              loading={update.isPending && update.variables?.id === u.id}
                              onClick={() => toggleSuspended(u)}
                            >
                              {u.suspended ? 'Reinstate' : 'Suspend'}
                            </Button>
                          )}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </QueryState>
      </Card>
      {editing && <EditAssistantModal user={editing} onClose={() => setEditing(null)} />}
      {scoring && (
        <Modal opened onClose={() => setScoring(null)} title={`${scoring.name}: scorecard`} centered size="lg">
          <ScorecardCard assistantId={scoring.id} title="Record" />
        </Modal>
      )}
    </>
  );
}

const EDIT_FIELDS = ['skills', 'maxConcurrentTasks'];

function EditAssistantModal({ user, onClose }: { user: UserView; onClose: () => void }) {
  const update = useUpdateUser();
  const form = useForm<{ skills: Category[]; maxConcurrentTasks: number | string }>({
    initialValues: { skills: user.skills ?? [], maxConcurrentTasks: user.maxConcurrentTasks ?? 3 },
    validate: contractResolver(updateUserBody, {
      // An emptied number box is sent as no number, so it is refused rather than left out.
      toBody: (v) => ({ skills: v.skills, maxConcurrentTasks: typeof v.maxConcurrentTasks === 'number' ? v.maxConcurrentTasks : Number.NaN }),
      required: { skills: 'Keep at least one skill', maxConcurrentTasks: `A whole number from 1 to ${LIMITS.maxConcurrentTasksMax}` },
    }),
  });
  const formError = formLevelError(update.error, EDIT_FIELDS);

  return (
    <Modal opened onClose={onClose} title={`Edit ${user.name}`} centered>
      <form
        noValidate
        onSubmit={form.onSubmit(
          (v) =>
            update.mutate(
              { id: user.id, body: { skills: v.skills, maxConcurrentTasks: Number(v.maxConcurrentTasks) } },
              {
                onSuccess: () => {
                  notifications.show({ message: `${user.name} updated.`, color: 'green' });
                  onClose();
                },
                onError: (e) => showServerFieldError(form, e, EDIT_FIELDS),
              },
            ),
          focusFirstError,
        )}
      >
        <Stack gap="md">
          {formError && <ErrorAlert title="Could not save" error={formError} />}
          <SkillsField {...form.getInputProps('skills')} />
          <NumberInput
            label="Max concurrent tasks"
            description="Claimed and in-progress tasks this assistant may hold at once."
            min={1}
            max={LIMITS.maxConcurrentTasksMax}
            allowDecimal={false}
            {...form.getInputProps('maxConcurrentTasks')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Close
            </Button>
            <Button type="submit" loading={update.isPending}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
