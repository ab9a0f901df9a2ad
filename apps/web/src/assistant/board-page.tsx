import { CATEGORY_LABELS } from '@handoff/contracts';
import { Alert, Badge, Button, Card, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconBolt } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api } from '../api/endpoints';
import { errorMessage } from '../api/http';
import { qk } from '../api/query-keys';
import { useUser } from '../auth/auth-context';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { QueryState } from '../components/query-state';
import { TaskTable } from '../tasks/task-table';
import { useTaskCommand } from '../tasks/use-task-actions';

export function BoardPage() {
  const user = useUser();
  const client = useQueryClient();
  const navigate = useNavigate();
  const board = useQuery({ queryKey: qk.available, queryFn: api.availableTasks, refetchInterval: 60_000 });
  const claim = useTaskCommand();

  const next = useMutation({
    mutationFn: api.claimNext,
    onSuccess: (task) => {
      void client.invalidateQueries({ queryKey: qk.tasks });
      if (!task) {
        notifications.show({ title: 'Nothing to claim', message: 'No queued task matches your skills right now. New work shows up here live.', color: 'gray' });
        return;
      }
      notifications.show({ title: 'Task claimed', message: `“${task.title}” is yours. Start it within the claim window.`, color: 'green' });
      void navigate(`/assistant/tasks/${task.id}`);
    },
    onError: (e) => notifications.show({ title: 'Could not get a task', message: errorMessage(e), color: 'red' }),
  });

  const skills = user.skills ?? [];

  return (
    <>
      <PageHeader
        title="Available work"
        description="Queued tasks in your skills, most urgent first. Claim one, or let Handoff pick the best next task for you."
        actions={
          <Button leftSection={<IconBolt size={16} aria-hidden />} loading={next.isPending} onClick={() => next.mutate()}>
            Get next task
          </Button>
        }
      />
      {!user.online && (
        <Alert color="yellow" mb="md" title="You are offline">
          Switch to Online in the header to be offered new work first.
        </Alert>
      )}
      {skills.length > 0 && (
        <Group gap={6} mb="md" aria-label="Your skills">
          <Text size="sm" c="dimmed">
            Your skills:
          </Text>
          {skills.map((s) => (
            <Badge key={s} variant="light" color="gray">
              {CATEGORY_LABELS[s]}
            </Badge>
          ))}
        </Group>
      )}
      <Card withBorder padding={0}>
        <QueryState isPending={board.isPending} error={board.error} onRetry={() => void board.refetch()}>
          {(board.data ?? []).length === 0 ? (
            <EmptyState title="No work waiting right now">
              New tasks in your skills appear here the moment clients submit them. Stay online to be offered them first.
            </EmptyState>
          ) : (
            <TaskTable
              tasks={board.data ?? []}
              linkBase="/assistant/tasks"
              caption="Available tasks"
              showOrganization
              actions={(task) => (
                <Button
                  size="xs"
                  loading={claim.isPending && claim.variables?.taskId === task.id}
                  disabled={claim.isPending && claim.variables?.taskId !== task.id}
                  onClick={() => claim.mutate({ action: 'claim', taskId: task.id })}
                >
                  Claim
                </Button>
              )}
            />
          )}
        </QueryState>
      </Card>
    </>
  );
}
