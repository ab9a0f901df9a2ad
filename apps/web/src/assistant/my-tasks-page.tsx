import type { TaskStatus, TaskView } from '@handoff/contracts';
import { Button, Card, Group, SegmentedControl } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { QueryState } from '../components/query-state';
import { TaskTable } from '../tasks/task-table';
import { useTaskCommand } from '../tasks/use-task-actions';
import { useTaskList } from '../tasks/use-task-list';

const ORDER: Record<TaskStatus, number> = { in_progress: 0, claimed: 1, returned: 2, disputed: 3, queued: 4, accepted: 5, cancelled: 6 };
const ACTIVE: readonly TaskStatus[] = ['claimed', 'in_progress', 'returned', 'disputed'];

function byUrgency(a: TaskView, b: TaskView): number {
  return ORDER[a.status] - ORDER[b.status] || Date.parse(a.deadline) - Date.parse(b.deadline);
}

export function MyTasksPage() {
  const list = useTaskList();
  const command = useTaskCommand();
  const [view, setView] = useState<'active' | 'finished'>('active');
  const tasks = list.tasks.filter((t) => (view === 'active' ? ACTIVE.includes(t.status) : !ACTIVE.includes(t.status))).sort(byUrgency);
  const busy = (id: string) => command.isPending && command.variables?.taskId === id;

  return (
    <>
      <PageHeader
        title="My tasks"
        description="Start what you claimed, return it with your result before the deadline."
        actions={
          <SegmentedControl
            aria-label="Which tasks"
            value={view}
            onChange={(v) => setView(v as 'active' | 'finished')}
            data={[
              { value: 'active', label: 'Active' },
              { value: 'finished', label: 'Finished' },
            ]}
          />
        }
      />
      <Card withBorder padding={0}>
        <QueryState isPending={list.isPending} error={list.error} onRetry={() => void list.refetch()}>
          {tasks.length === 0 ? (
            view === 'active' ? (
              <EmptyState
                title="Nothing on your plate"
                action={
                  <Button component={Link} to="/assistant/board">
                    Find work
                  </Button>
                }
              >
                Claim a task from the available work board and it shows up here.
              </EmptyState>
            ) : (
              <EmptyState title="No finished tasks yet">Tasks you return and the client accepts are listed here.</EmptyState>
            )
          ) : (
            <TaskTable
              tasks={tasks}
              linkBase="/assistant/tasks"
              caption="My tasks"
              showOrganization
              hasMore={list.hasNextPage}
              loadingMore={list.isFetchingNextPage}
              onLoadMore={() => void list.fetchNextPage()}
              actions={(task) => (
                <Group gap={6} justify="flex-end" wrap="nowrap">
                  {task.status === 'claimed' && (
                    <>
                      <Button size="xs" loading={busy(task.id)} onClick={() => command.mutate({ action: 'start', taskId: task.id })}>
                        Start
                      </Button>
                      <Button size="xs" variant="default" disabled={busy(task.id)} onClick={() => command.mutate({ action: 'release', taskId: task.id })}>
                        Release
                      </Button>
                    </>
                  )}
                  {task.status === 'in_progress' && (
                    <Button size="xs" component={Link} to={`/assistant/tasks/${task.id}`}>
                      Return…
                    </Button>
                  )}
                  {task.status !== 'claimed' && task.status !== 'in_progress' && (
                    <Button size="xs" variant="subtle" component={Link} to={`/assistant/tasks/${task.id}`}>
                      Open
                    </Button>
                  )}
                </Group>
              )}
            />
          )}
        </QueryState>
      </Card>
    </>
  );
}
