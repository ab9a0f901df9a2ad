import { CATEGORY_LABELS, formatMoney, TASK_STATUSES, type TaskView } from '@handoff/contracts';
import { Anchor, Badge, Box, Group, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { UnreadBadge } from '../conversations/conversation-panel';
import { Deadline } from '../components/deadline';
import { ChecklistProgressText } from './task-checklist';
import { StatusBadge } from '../components/status-badge';
import { PRIORITY_COLORS, PRIORITY_LABELS } from '../lib/task-display';
import { useFitsWidth } from '../lib/use-fits';
import { LoadMore } from '../components/load-more';
import { loadedOnlyHint, PartialSortNote, SortableTh, useSort, type SortColumns, type SortState } from '../components/sortable';

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

/** Narrower than this, the columns stop fitting and each task becomes a stacked row. */
const TABLE_MIN_WIDTH = 820;

type RowProps = Omit<TaskTableProps, 'tasks' | 'caption' | 'hasMore' | 'loadingMore' | 'onLoadMore'> & { task: TaskView };

type TaskColumn = 'title' | 'organization' | 'status' | 'assignee' | 'deadline' | 'price';
const COLUMNS: SortColumns<TaskView, TaskColumn> = {
  title: (t) => t.title,
  organization: (t) => t.organizationName,
  // Along the lifecycle, not alphabetically.
  status: (t) => TASK_STATUSES.indexOf(t.status),
  assignee: (t) => (t.assigneeId ? (t.assigneeName ?? 'Assigned') : null),
  deadline: (t) => Date.parse(t.deadline),
  price: (t) => t.priceCents,
};

function TitleLink({ task, linkBase, lines }: { task: TaskView; linkBase: string; lines: number }) {
  return (
    <>
      <Anchor component={Link} to={`${linkBase}/${task.id}`} fw={600} lineClamp={lines} data-testid="task-title">
        {task.title}
      </Anchor>
      <UnreadBadge taskId={task.id} />
    </>
  );
}

function Kind({ task }: { task: TaskView }) {
  return (
    <>
      {CATEGORY_LABELS[task.category]} ·{' '}
      <Badge component="span" size="xs" variant="dot" color={PRIORITY_COLORS[task.priority]}>
        {PRIORITY_LABELS[task.priority]}
      </Badge>
      {task.checklist.total > 0 && (
        <>
          {' · '}
          <ChecklistProgressText progress={task.checklist} />
        </>
      )}
    </>
  );
}

function Price({ task }: { task: TaskView }) {
  return (
    <Text span size="sm" fw={600} style={{ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }} data-testid="task-price">
      {formatMoney(task.priceCents, task.currency)}
    </Text>
  );
}

export function TaskTable({ tasks, caption, hasMore, loadingMore, onLoadMore, ...row }: TaskTableProps) {
  const { ref, fits } = useFitsWidth(TABLE_MIN_WIDTH);
  // Held here, so the order survives the switch between table and stacked rows.
  const { sorted, sort, toggle } = useSort(tasks, COLUMNS);
  const hint = hasMore ? loadedOnlyHint(tasks.length, 'tasks') : undefined;
  return (
    <div ref={ref}>
      {fits ? (
        <WideTable tasks={sorted} caption={caption} sort={sort} onSort={toggle} hint={hint} {...row} />
      ) : (
        <StackedList tasks={sorted} caption={caption} {...row} />
      )}
      <PartialSortNote active={!!sort && !!hasMore} count={tasks.length} noun="tasks" />
      <LoadMore hasMore={hasMore} loading={loadingMore} onLoadMore={onLoadMore} />
    </div>
  );
}

interface WideTableProps extends Omit<RowProps, 'task'> {
  tasks: TaskView[];
  caption: string;
  sort: SortState<TaskColumn> | null;
  onSort: (column: TaskColumn) => void;
  hint?: string;
}

function WideTable({ tasks, caption, linkBase, showAssignee, showOrganization, actions, sort, onSort, hint }: WideTableProps) {
  const th = { sort, onSort, hint };
  return (
    <Table verticalSpacing="sm" highlightOnHover aria-label={caption}>
      <Table.Thead>
        <Table.Tr>
          <SortableTh column="title" {...th}>
            Task
          </SortableTh>
          {showOrganization && (
            <SortableTh column="organization" {...th}>
              Organization
            </SortableTh>
          )}
          <SortableTh column="status" {...th}>
            Status
          </SortableTh>
          {showAssignee && (
            <SortableTh column="assignee" {...th}>
              Assignee
            </SortableTh>
          )}
          <SortableTh column="deadline" {...th}>
            Deadline
          </SortableTh>
          <SortableTh column="price" ta="right" {...th}>
            Price
          </SortableTh>
          {actions && <Table.Th ta="right">Actions</Table.Th>}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {tasks.map((task) => (
          <Table.Tr key={task.id} data-testid={`task-row-${task.id}`} data-status={task.status}>
            <Table.Td maw={360}>
              <TitleLink task={task} linkBase={linkBase} lines={1} />
              <Text size="xs" c="dimmed">
                <Kind task={task} />
              </Text>
            </Table.Td>
            {showOrganization && <Table.Td>{task.organizationName ?? <Text c="dimmed" size="sm">—</Text>}</Table.Td>}
            <Table.Td>
              <StatusBadge status={task.status} />
            </Table.Td>
            {showAssignee && (
              <Table.Td>
                <Assignee task={task} />
              </Table.Td>
            )}
            <Table.Td>
              <Deadline task={task} />
            </Table.Td>
            <Table.Td ta="right">
              <Price task={task} />
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
  );
}

function Assignee({ task }: { task: TaskView }) {
  return task.assigneeId ? (
    <Text size="sm">{task.assigneeName ?? 'Assigned'}</Text>
  ) : (
    <Text size="sm" c="dimmed">
      Unassigned
    </Text>
  );
}

/** One block per task: title and status, what and for whom, then deadline, price and the action, wrapping as needed. */
function StackedList({ tasks, caption, linkBase, showAssignee, showOrganization, actions }: Omit<RowProps, 'task'> & { tasks: TaskView[]; caption: string }) {
  return (
    <Box component="ul" aria-label={caption} m={0} p={0} style={{ listStyle: 'none' }}>
      {tasks.map((task, i) => (
        <Box
          component="li"
          key={task.id}
          data-testid={`task-row-${task.id}`}
          data-status={task.status}
          px="md"
          py="sm"
          style={i > 0 ? { borderTop: '1px solid var(--mantine-color-default-border)' } : undefined}
        >
          <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
            <Box miw={0}>
              <TitleLink task={task} linkBase={linkBase} lines={2} />
            </Box>
            <StatusBadge status={task.status} />
          </Group>
          <Text size="xs" c="dimmed" mt={2}>
            <Kind task={task} />
            {showOrganization && task.organizationName && ` · ${task.organizationName}`}
            {showAssignee && ` · ${task.assigneeId ? (task.assigneeName ?? 'Assigned') : 'Unassigned'}`}
          </Text>
          <Group justify="space-between" align="center" gap="xs" mt={6}>
            <Deadline task={task} />
            <Group gap="sm" wrap="nowrap" ml="auto">
              <Price task={task} />
              {actions?.(task)}
            </Group>
          </Group>
        </Box>
      ))}
    </Box>
  );
}
