import { checklistTickBody, TASK_CHECKLIST_LIMITS, type ChecklistProgress, type TaskChecklistStepView, type TaskView } from '@handoff/contracts';
import { Alert, Anchor, Badge, Card, Checkbox, Group, Progress, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/endpoints';
import { errorMessage } from '../api/http';
import { qk } from '../api/query-keys';
import { sentence } from '../forms/contract-form';
import { formatDateTime } from '../lib/format';
import { applyChecklist } from '../live/merge';

/** "4 of 6 steps": nothing for a task without a checklist. */
export function checklistLabel(progress: ChecklistProgress | undefined): string | null {
  if (!progress || progress.total === 0) return null;
  return `${progress.done} of ${progress.total} step${progress.total === 1 ? '' : 's'}`;
}

export function ChecklistProgressText({ progress }: { progress: ChecklistProgress | undefined }) {
  const label = checklistLabel(progress);
  if (!label) return null;
  return (
    <Text span size="xs" c={progress!.done === progress!.total ? 'green' : 'dimmed'} data-testid="checklist-progress" style={{ whiteSpace: 'nowrap' }}>
      {label}
    </Text>
  );
}

interface TaskChecklistProps {
  task: TaskView;
  /** The assignee of a task in progress ticks; everyone else reads. */
  canTick: boolean;
}

/** The pinned version's checklist: ticked by the assignee step by step, watched live by everyone who sees the task. */
export function TaskChecklist({ task, canTick }: TaskChecklistProps) {
  const steps = task.checklistSteps ?? [];
  if (task.checklist.total === 0 || steps.length === 0) return null;
  const { done, total } = task.checklist;
  const requiredOpen = steps.filter((s) => s.required && !s.done).length;
  return (
    <Card withBorder padding="lg" aria-labelledby="checklist-title">
      <Stack gap="sm">
        <Group justify="space-between" align="baseline">
          <Title order={2} size="h4" id="checklist-title">
            Checklist
          </Title>
          <Text size="sm" fw={600} aria-live="polite" data-testid="checklist-count">
            {checklistLabel(task.checklist)}
          </Text>
        </Group>
        <Progress value={(done / total) * 100} size="sm" aria-label={`${done} of ${total} steps done`} color={done === total ? 'green' : 'blue'} />
        {task.templateVersion !== null && (
          <Text size="xs" c="dimmed">
            From version {task.templateVersion} of the template.
            {canTick && requiredOpen > 0 && ` Tick the ${requiredOpen} required step${requiredOpen === 1 ? '' : 's'} left before you return the work.`}
          </Text>
        )}
        <Stack gap="xs" component="ol" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {steps.map((step) => (
            <li key={step.stepId}>
              <StepRow task={task} step={step} canTick={canTick} />
            </li>
          ))}
        </Stack>
      </Stack>
    </Card>
  );
}

function StepRow({ task, step, canTick }: { task: TaskView; step: TaskChecklistStepView; canTick: boolean }) {
  const client = useQueryClient();
  const [noteOpen, setNoteOpen] = useState(false);
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<string | null>(null);
  const tick = useMutation({
    mutationFn: (body: { done: boolean; note?: string }) => api.tickChecklistStep(task.id, step.stepId, body),
    onSuccess: (checklist) => {
      client.setQueryData<TaskView>(qk.taskDetail(task.id), (t) => (t ? applyChecklist(t, checklist) : t));
      setNote('');
      setNoteOpen(false);
    },
  });

  const toggle = () => {
    const body: { done: boolean; note?: string } = { done: !step.done };
    if (note.trim()) body.note = note;
    // The contract's own check, so the note's limits read the same here as in the API's 400.
    const parsed = checklistTickBody.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      setNoteError(sentence(issue.message));
      return;
    }
    setNoteError(null);
    tick.mutate(body);
  };

  const label = (
    <Group gap={6} wrap="nowrap" component="span">
      <Text span size="sm" fw={500} td={step.done ? 'line-through' : undefined} c={step.done ? 'dimmed' : undefined}>
        {step.title}
      </Text>
      {!step.required && (
        <Badge size="xs" variant="outline" color="gray" component="span">
          Optional
        </Badge>
      )}
    </Group>
  );

  return (
    <Stack gap={4} data-testid={`checklist-step-${step.stepId}`} data-done={step.done}>
      <Checkbox
        checked={step.done}
        disabled={!canTick || tick.isPending}
        readOnly={!canTick}
        onChange={canTick ? toggle : undefined}
        label={label}
        description={step.detail ?? undefined}
        aria-describedby={step.note ? `note-${step.stepId}` : undefined}
      />
      {(step.note || step.doneAt) && (
        <Text size="xs" c="dimmed" pl={32} id={`note-${step.stepId}`}>
          {step.doneAt && `Ticked ${formatDateTime(step.doneAt)}`}
          {step.doneAt && step.note && ' · '}
          {step.note && `Note: ${step.note}`}
        </Text>
      )}
      {canTick && (
        <div style={{ paddingLeft: 32 }}>
          {noteOpen ? (
            <TextInput
              size="xs"
              label={`Note for “${step.title}”`}
              description={`Optional, sent with the next tick or untick (at most ${TASK_CHECKLIST_LIMITS.noteMax} characters).`}
              value={note}
              maxLength={TASK_CHECKLIST_LIMITS.noteMax}
              error={noteError}
              onChange={(e) => setNote(e.currentTarget.value)}
            />
          ) : (
            <Anchor component="button" type="button" size="xs" onClick={() => setNoteOpen(true)}>
              Add a note
            </Anchor>
          )}
        </div>
      )}
      {tick.error && (
        <Alert color="red" variant="light" p="xs" ml={32} role="alert">
          {errorMessage(tick.error)}
        </Alert>
      )}
    </Stack>
  );
}
