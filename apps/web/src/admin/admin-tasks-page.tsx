import { Card, Checkbox } from '@mantine/core';
import { useState } from 'react';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { QueryState } from '../components/query-state';
import { isOverdue } from '../lib/task-display';
import { useNow } from '../lib/use-now';
import { TaskFilterBar, useTaskFilters } from '../tasks/task-filters';
import { TaskTable } from '../tasks/task-table';
import { useTaskList } from '../tasks/use-task-list';

export function AdminTasksPage() {
  const [filters, setFilters] = useTaskFilters();
  const [flaggedOnly, setFlaggedOnly] = useState(false);
  const now = useNow();
  const list = useTaskList(filters);
  const tasks = flaggedOnly ? list.tasks.filter((t) => isOverdue(t, now) || t.escalated) : list.tasks;

  return (
    <>
      <PageHeader title="All tasks" description="Every organization's tasks. Overdue and escalated work is flagged." />
      <TaskFilterBar filters={filters} onChange={setFilters} />
      <Checkbox
        label="Only overdue or escalated"
        checked={flaggedOnly}
        onChange={(e) => setFlaggedOnly(e.currentTarget.checked)}
        mb="md"
      />
      <Card withBorder padding={0}>
        <QueryState isPending={list.isPending} error={list.error} onRetry={() => void list.refetch()}>
          {tasks.length === 0 ? (
            <EmptyState title="No tasks match">
              {flaggedOnly || filters.status || filters.category ? 'Nothing here with these filters. Loosen them to see more.' : 'When clients submit tasks they appear here.'}
            </EmptyState>
          ) : (
            <TaskTable
              tasks={tasks}
              linkBase="/admin/tasks"
              caption="All tasks"
              showOrganization
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
