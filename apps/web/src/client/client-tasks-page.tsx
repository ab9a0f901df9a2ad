import { Button, Card } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { Link } from 'react-router';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { QueryState } from '../components/query-state';
import { TaskFilterBar, useTaskFilters } from '../tasks/task-filters';
import { TaskTable } from '../tasks/task-table';
import { useTaskList } from '../tasks/use-task-list';

export function ClientTasksPage() {
  const [filters, setFilters] = useTaskFilters();
  const list = useTaskList(filters);
  const filtered = !!(filters.status || filters.category);

  const newTask = (
    <Button component={Link} to="/client/tasks/new" leftSection={<IconPlus size={16} aria-hidden />}>
      New task
    </Button>
  );

  return (
    <>
      <PageHeader title="Tasks" description="Everything your organization has handed off, updated live." actions={newTask} />
      <TaskFilterBar filters={filters} onChange={setFilters} />
      <Card withBorder padding={0}>
        <QueryState isPending={list.isPending} error={list.error} onRetry={() => void list.refetch()}>
          {list.tasks.length === 0 ? (
            filtered ? (
              <EmptyState title="No tasks match these filters" action={<Button variant="default" onClick={() => setFilters({})}>Clear filters</Button>}>
                Try another status or category.
              </EmptyState>
            ) : (
              <EmptyState title="No tasks yet" action={newTask}>
                Hand off your first task: describe what needs doing, pick a deadline, and an assistant picks it up.
              </EmptyState>
            )
          ) : (
            <TaskTable
              tasks={list.tasks}
              linkBase="/client/tasks"
              caption="Your organization's tasks"
              showAssignee
              hasMore={list.hasNextPage}
              loadingMore={list.isFetchingNextPage}
              onLoadMore={() => void list.fetchNextPage()}
            />
          )}
        </QueryState>
      </Card>
    </>
  );
}
