import { isAwaitingReturn, type TaskView } from '@handoff/contracts';
import { Badge, Group, Text, Tooltip } from '@mantine/core';
import { formatDateTime, formatDuration } from '../lib/format';
import { isOverdue } from '../lib/task-display';
import { useNow } from '../lib/use-now';

type DeadlineTask = Pick<TaskView, 'deadline' | 'status' | 'overdue' | 'onTime' | 'escalated'>;

/** Countdown to the deadline while work is owed; red once it has passed. */
export function Deadline({ task, withDate = false }: { task: DeadlineTask; withDate?: boolean }) {
  const now = useNow();
  const due = Date.parse(task.deadline);
  const overdue = isOverdue(task, now);
  const open = isAwaitingReturn(task.status);
  const absolute = formatDateTime(task.deadline, { zone: true });

  let label: string;
  if (!open) label = absolute;
  else if (overdue) label = due <= now ? `Overdue by ${formatDuration(now - due)}` : 'Overdue';
  else label = `Due in ${formatDuration(due - now)}`;

  return (
    <Group gap={6} wrap="nowrap" data-testid="task-deadline">
      <Tooltip label={absolute} disabled={!open} withArrow>
        <Text size="sm" c={overdue ? 'red.9' : undefined} fw={overdue ? 600 : undefined} data-overdue={overdue || undefined} style={{ whiteSpace: 'nowrap' }}>
          {label}
        </Text>
      </Tooltip>
      {withDate && open && (
        <Text size="xs" c="dimmed">
          ({absolute})
        </Text>
      )}
      {overdue && (
        <Badge color="red" size="xs" variant="filled" data-testid="overdue-flag">
          Overdue
        </Badge>
      )}
      {task.escalated && open && (
        <Badge color="orange" size="xs" variant="filled" data-testid="escalated-flag">
          Escalated
        </Badge>
      )}
      {task.onTime === false && (
        <Badge color="red" size="xs" variant="outline">
          Late
        </Badge>
      )}
    </Group>
  );
}
