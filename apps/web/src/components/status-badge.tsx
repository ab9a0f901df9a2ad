import type { TaskStatus } from '@handoff/contracts';
import { Badge } from '@mantine/core';
import { STATUS_COLORS, STATUS_LABELS } from '../lib/task-display';

export function StatusBadge({ status }: { status: TaskStatus }) {
  return (
    <Badge color={STATUS_COLORS[status]} variant="light" data-testid="task-status" data-status={status}>
      {STATUS_LABELS[status]}
    </Badge>
  );
}
