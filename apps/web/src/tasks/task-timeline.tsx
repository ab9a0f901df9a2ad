import type { TaskEventView } from '@handoff/contracts';
import { Text, Timeline } from '@mantine/core';
import { formatDateTime } from '../lib/format';
import { STATUS_LABELS } from '../lib/task-display';

export const ACTION_LABELS: Record<string, string> = {
  create: 'Submitted',
  submit: 'Submitted',
  claim: 'Claimed',
  start: 'Started',
  release: 'Released',
  return: 'Returned',
  accept: 'Accepted',
  revise: 'Revision requested',
  cancel: 'Cancelled',
  expire: 'Claim expired',
  auto_accept: 'Accepted automatically',
  escalate: 'Escalated',
};

export const ROLE_LABELS: Record<string, string> = {
  client: 'client',
  assistant: 'assistant',
  admin: 'admin',
  system: 'Handoff',
};

export function TaskTimeline({ events }: { events: TaskEventView[] }) {
  if (events.length === 0) {
    return (
      <Text c="dimmed" size="sm">
        No history yet.
      </Text>
    );
  }
  const ordered = [...events].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  return (
    <Timeline active={ordered.length - 1} bulletSize={14} lineWidth={2} aria-label="Task history">
      {ordered.map((e) => (
        <Timeline.Item key={e.id} title={ACTION_LABELS[e.action] ?? STATUS_LABELS[e.toStatus]} data-testid="task-event">
          <Text size="xs" c="dimmed">
            {formatDateTime(e.createdAt)} · by {ROLE_LABELS[e.actorRole] ?? e.actorRole}
            {e.fromStatus ? ` · ${STATUS_LABELS[e.fromStatus]} → ${STATUS_LABELS[e.toStatus]}` : ''}
          </Text>
          {e.note && (
            <Text size="sm" mt={4} style={{ whiteSpace: 'pre-wrap' }}>
              {e.note}
            </Text>
          )}
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
