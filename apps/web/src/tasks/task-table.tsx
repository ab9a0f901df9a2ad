import { CATEGORY_LABELS, formatMoney, type TaskView } from '@handoff/contracts';
import { Anchor, Badge, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Deadline } from '../components/deadline';
import { StatusBadge } from '../components/status-badge';
import { PRIORITY_COLORS, PRIORITY_LABELS } from '../lib/task-display';
import { LoadMore } from '../components/load-more';

interface TaskTableProps {
  tasks: TaskView[];
  /** Detail pages live at `${linkBase}/:id`. */
  linkBase: string;
  caption: string;
  showAssignee?: boolean;
  showOrganization?: boolean;
  actions?: (task: TaskView) => ReactNode;
  hasMore?: boolean;
  loadingMore?: boolean;
  onLoadMore?: () => void;
}

export function TaskTable({ tasks, linkBase, caption, showAssignee, showOrganization, actions, hasMore, loadingMore, onLoadMore }: TaskTableProps) {
  return (
    <>
      <Table.ScrollContainer minWidth={820} type="native">
        <Table verticalSpacing="sm" highlightOnHover aria-label={caption}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Task</Table.Th>
              {showOrganization && <Table.Th>Organization</Table.Th>}
              <Table.Th>Status</Table.Th>
              {showAssignee && <Table.Th>Assignee</Table.Th>}
              <Table.Th>Deadline</Table.Th>
              <Table.Th ta="right">Price</Table.Th>
              {actions && <Table.Th ta="right">Actions</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tasks.map((task) => (
              <Table.Tr key={task.id} data-testid={`task-row-${task.id}`} data-status={task.status}>
                <Table.Td maw={360}>
                  <Anchor component={Link} to={`${linkBase}/${task.id}`} fw={600} lineClamp={1}>
                    {task.title}
                  </Anchor>
                  <Text size="xs" c="dimmed">
                    {CATEGORY_LABELS[task.category]} ·{' '}
                    <Badge component="span" size="xs" variant="dot" color={PRIORITY_COLORS[task.priority]}>
                      {PRIORITY_LABELS[task.priority]}
                    </Badge>
                  </Text>
                </Table.Td>
                {showOrganization && <Table.Td>{task.organizationName ?? <Text c="dimmed" size="sm">—</Text>}</Table.Td>}
                <Table.Td>
                  <StatusBadge status={task.status} />
                </Table.Td>
                {showAssignee && (
                  <Table.Td>
                    {task.assigneeId ? (
                      <Text size="sm">{task.assigneeName ?? 'Assigned'}</Text>
                    ) : (
                      <Text size="sm" c="dimmed">
                        Unassigned
                      </Text>
                    )}
                  </Table.Td>
                )}
                <Table.Td>
                  <Deadline task={task} />
                </Table.Td>
                <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                  {formatMoney(task.priceCents, task.currency)}
                </Table.Td>
                {actions && (
                  <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                    {actions(task)}
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={hasMore} loading={loadingMore} onLoadMore={onLoadMore} />
    </>
  );
}
