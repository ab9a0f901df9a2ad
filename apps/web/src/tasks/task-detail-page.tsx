import { allowedActions, CATEGORY_LABELS, formatMoney, LIMITS, returnTaskBody, reviseTaskBody, type TaskView } from '@handoff/contracts';
import {
  Anchor,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  Modal,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDisclosure } from '@mantine/hooks';
import { IconArrowLeft } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/endpoints';
import { isApiError } from '../api/http';
import { qk } from '../api/query-keys';
import { useUser } from '../auth/auth-context';
import { ConversationPanel } from '../conversations/conversation-panel';
import { TaskFiles } from '../files/task-files';
import { OpenDisputeForm } from '../disputes/open-dispute-form';
import { Deadline } from '../components/deadline';
import { EmptyState } from '../components/empty-state';
import { QueryState } from '../components/query-state';
import { StatusBadge } from '../components/status-badge';
import { contractResolver, focusFirstError, showServerFieldError } from '../forms/contract-form';
import { formatDateTime, formatInZone } from '../lib/format';
import { PRIORITY_LABELS } from '../lib/task-display';
import { TaskChecklist } from './task-checklist';
import { RatingControl } from '../quality/rating-control';
import { TaskTimeline } from './task-timeline';
import { useTaskCommand } from './use-task-actions';

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <div>{children}</div>
    </div>
  );
}

export function TaskDetailPage({ backTo, backLabel }: { backTo: string; backLabel: string }) {
  const { id = '' } = useParams();
  const query = useQuery({ queryKey: qk.taskDetail(id), queryFn: () => api.task(id), enabled: !!id });

  const back = (
    <Anchor component={Link} to={backTo} size="sm" mb="md" display="inline-flex" style={{ alignItems: 'center', gap: 4 }}>
      <IconArrowLeft size={14} aria-hidden /> {backLabel}
    </Anchor>
  );

  if (isApiError(query.error, 404)) {
    return (
      <>
        {back}
        <EmptyState title="Task not found">It may have been removed, or it belongs to someone else.</EmptyState>
      </>
    );
  }

  return (
    <>
      {back}
      <QueryState isPending={query.isPending} error={query.error} onRetry={() => void query.refetch()}>
        {query.data && <TaskDetail task={query.data} />}
      </QueryState>
    </>
  );
}

function TaskDetail({ task }: { task: TaskView }) {
  const user = useUser();
  const actions = allowedActions({ role: user.role, userId: user.id, organizationId: user.organizationId }, task);
  // The conversation is its organization's, its assignee's and the admins'; an assistant only while holding the task.
  const talks = user.role !== 'assistant' || task.assigneeId === user.id;
  const client = useQueryClient();
  // A move shows in the conversation's timeline too.
  useEffect(() => {
    void client.invalidateQueries({ queryKey: qk.conversation(task.id), refetchType: 'active' });
  }, [client, task.id, task.version]);
  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-start" gap="sm">
        <Stack gap={6}>
          <Title order={1} size="h2">
            {task.title}
          </Title>
          <Group gap="xs">
            <StatusBadge status={task.status} />
            <Badge variant="outline" color="gray">
              {CATEGORY_LABELS[task.category]}
            </Badge>
            <Badge variant="outline" color="gray">
              {PRIORITY_LABELS[task.priority]} priority
            </Badge>
          </Group>
        </Stack>
        <Text fw={700} size="xl">
          {formatMoney(task.priceCents, task.currency)}
        </Text>
      </Group>

      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack gap="lg">
            <TaskActions task={task} actions={actions} />
            <TaskChecklist task={task} canTick={user.role === 'assistant' && task.assigneeId === user.id && task.status === 'in_progress'} />
            <RatingControl task={task} />
            {task.result && (
              <Card withBorder padding="lg">
                <Title order={2} size="h4" mb="xs">
                  Result
                </Title>
                <Text style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="task-result">
                  {task.result}
                </Text>
              </Card>
            )}
            {talks && <TaskFiles task={task} viewer={user} />}
            <Card withBorder padding="lg">
              <Title order={2} size="h4" mb="xs">
                Instructions
              </Title>
              <Text style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{task.instructions}</Text>
            </Card>
            {task.feedback && (
              <Card withBorder padding="lg">
                <Title order={2} size="h4" mb="xs">
                  Latest feedback
                </Title>
                <Text style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{task.feedback}</Text>
              </Card>
            )}
            {talks && <ConversationPanel taskId={task.id} viewer={user} />}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="lg">
            <Card withBorder padding="lg">
              <SimpleGrid cols={1} spacing="sm">
                <Field label="Deadline">
                  <Deadline task={task} withDate />
                  {task.organizationTimeZone && formatInZone(task.deadline, task.organizationTimeZone) && (
                    <Text size="xs" c="dimmed" data-testid="deadline-organization-zone">
                      {formatInZone(task.deadline, task.organizationTimeZone)}, the organization’s time
                    </Text>
                  )}
                </Field>
                <Field label="Assignee">
                  <Text size="sm">{task.assigneeId ? (task.assigneeName ?? (task.assigneeId === user.id ? 'You' : 'Assigned')) : 'Nobody yet'}</Text>
                </Field>
                {task.organizationName && (
                  <Field label="Organization">
                    <Text size="sm">{task.organizationName}</Text>
                  </Field>
                )}
                {task.inputs && Object.keys(task.inputs).length > 0 && (
                  <Field label="Inputs">
                    <Stack gap={2} component="dl" m={0}>
                      {Object.entries(task.inputs).map(([key, value]) => (
                        <Text size="sm" key={key} style={{ overflowWrap: 'anywhere' }}>
                          <Text span c="dimmed" size="sm" component="dt" display="inline">
                            {key}:
                          </Text>{' '}
                          <Text span size="sm" component="dd" display="inline" m={0}>
                            {String(value)}
                          </Text>
                        </Text>
                      ))}
                    </Stack>
                  </Field>
                )}
                <Field label="Submitted">
                  <Text size="sm">{formatDateTime(task.createdAt)}</Text>
                </Field>
                {task.returnedAt && (
                  <Field label="Returned">
                    <Text size="sm">
                      {formatDateTime(task.returnedAt)}{' '}
                      {task.onTime !== null && (
                        <Badge size="xs" color={task.onTime ? 'green' : 'red'} variant="light">
                          {task.onTime ? 'On time' : 'Late'}
                        </Badge>
                      )}
                    </Text>
                  </Field>
                )}
              </SimpleGrid>
            </Card>
            <Card withBorder padding="lg">
              <Title order={2} size="h4" mb="md">
                History
              </Title>
              <TaskTimeline events={task.events ?? []} />
            </Card>
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function TaskActions({ task, actions }: { task: TaskView; actions: string[] }) {
  const command = useTaskCommand();
  const returnForm = useForm({ initialValues: { result: '' }, validate: contractResolver(returnTaskBody, { toBody: (v) => v }) });
  const reviseForm = useForm({ initialValues: { feedback: '' }, validate: contractResolver(reviseTaskBody, { toBody: (v) => v }) });
  const [confirmOpen, confirm] = useDisclosure(false);
  const busy = command.isPending;
  const has = (a: string) => actions.includes(a);

  const buttons = (['claim', 'start', 'release', 'accept', 'cancel'] as const).filter(has);
  if (buttons.length === 0 && !has('return') && !has('revise') && !has('dispute')) return null;

  return (
    <Card withBorder padding="lg" bg="var(--mantine-color-blue-light)">
      <Stack gap="md">
        {task.status === 'returned' && has('accept') && (
          <Text size="sm">The work is back. Accept it, or tell the assistant what to change; revisions are included in the price.</Text>
        )}
        {buttons.length > 0 && (
          <Group gap="sm">
            {has('claim') && (
              <Button loading={busy} onClick={() => command.mutate({ action: 'claim', taskId: task.id })}>
                Claim
              </Button>
            )}
            {has('start') && (
              <Button loading={busy} onClick={() => command.mutate({ action: 'start', taskId: task.id })}>
                Start
              </Button>
            )}
            {has('release') && (
              <Button variant="default" loading={busy} onClick={() => command.mutate({ action: 'release', taskId: task.id })}>
                Release
              </Button>
            )}
            {has('accept') && (
              <Button color="green" loading={busy} onClick={() => command.mutate({ action: 'accept', taskId: task.id })}>
                Accept
              </Button>
            )}
            {has('cancel') && (
              <Button color="red" variant="light" disabled={busy} onClick={confirm.open}>
                Cancel task
              </Button>
            )}
          </Group>
        )}

        {has('return') && (
          <form
            onSubmit={returnForm.onSubmit(
              ({ result }) =>
                command.mutate(
                  { action: 'return', taskId: task.id, result: result.trim() },
                  { onSuccess: () => returnForm.reset(), onError: (e) => showServerFieldError(returnForm, e, ['result']) },
                ),
              focusFirstError,
            )}
          >
            <Stack gap="sm">
              <Textarea
                label="Result"
                description="What you did, links to files, anything the client needs. The client sees this."
                placeholder="Describe the finished work"
                autosize
                minRows={4}
                maxRows={16}
                maxLength={LIMITS.resultMax}
                required
                {...returnForm.getInputProps('result')}
              />
              <Group>
                <Button type="submit" loading={busy} disabled={!returnForm.values.result.trim()}>
                  Return
                </Button>
              </Group>
            </Stack>
          </form>
        )}

        {has('revise') && (
          <form
            onSubmit={reviseForm.onSubmit(
              ({ feedback }) =>
                command.mutate(
                  { action: 'revise', taskId: task.id, feedback: feedback.trim() },
                  { onSuccess: () => reviseForm.reset(), onError: (e) => showServerFieldError(reviseForm, e, ['feedback']) },
                ),
              focusFirstError,
            )}
          >
            <Stack gap="sm">
              <Textarea
                label="Feedback"
                description="What should change? The same assistant picks it up again."
                autosize
                minRows={3}
                maxRows={10}
                maxLength={LIMITS.feedbackMax}
                {...reviseForm.getInputProps('feedback')}
              />
              <Group>
                <Button type="submit" variant="default" loading={busy} disabled={!reviseForm.values.feedback.trim()}>
                  Request revision
                </Button>
              </Group>
            </Stack>
          </form>
        )}

        {has('dispute') && <OpenDisputeForm task={task} />}
      </Stack>

      <Modal opened={confirmOpen} onClose={confirm.close} title="Cancel this task?" centered>
        <Text size="sm" mb="lg">
          “{task.title}” will be withdrawn{task.status === 'claimed' ? ' from the assistant who claimed it' : ''}. Nothing is charged for a cancelled task. This cannot be undone.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={confirm.close}>
            Keep it
          </Button>
          <Button
            color="red"
            loading={busy}
            onClick={() => command.mutate({ action: 'cancel', taskId: task.id }, { onSettled: confirm.close })}
          >
            Yes, cancel it
          </Button>
        </Group>
      </Modal>
    </Card>
  );
}
