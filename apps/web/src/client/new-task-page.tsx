import { BACK_OFFICE, CATEGORY_LABELS, createTaskBody, FRONT_OFFICE, formatMoney, LIMITS, PRIORITIES, type Category, type Priority } from '@handoff/contracts';
import { Button, Card, Grid, Group, NativeSelect, SegmentedControl, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api/endpoints';
import { isApiError, newIdempotencyKey } from '../api/http';
import { qk } from '../api/query-keys';
import { PageHeader } from '../components/page-header';
import { ErrorAlert } from '../components/query-state';
import { contractResolver, focusFirstError, formLevelError, showServerFieldError } from '../forms/contract-form';
import { timeZoneName, toLocalInputValue } from '../lib/format';
import { PRIORITY_LABELS } from '../lib/task-display';
import { useUser } from '../auth/auth-context';
import { BudgetRefusalAlert, BudgetRemaining, budgetRefusalOf } from './budget';
import { QuotePanel } from './quote-panel';
import { TemplateTaskForm } from './template-task-form';

const CATEGORY_OPTIONS = [
  { value: '', label: 'Choose a category', disabled: true },
  { group: 'Front office', items: FRONT_OFFICE.map((c) => ({ value: c, label: CATEGORY_LABELS[c] })) },
  { group: 'Back office', items: BACK_OFFICE.map((c) => ({ value: c, label: CATEGORY_LABELS[c] })) },
];

const PRIORITY_HINTS: Record<Priority, string> = {
  low: 'Low (0.8×)',
  normal: 'Normal (1×)',
  high: 'High (1.25×)',
  urgent: 'Urgent (1.5×)',
};

const DAY_MS = 86_400_000;

function preset(kind: '4h' | 'tomorrow' | '3d' | 'week'): Date {
  const d = new Date();
  switch (kind) {
    case '4h':
      return new Date(Date.now() + 4 * 3_600_000);
    case 'tomorrow':
      d.setDate(d.getDate() + 1);
      d.setHours(17, 0, 0, 0);
      return d;
    case '3d':
      d.setDate(d.getDate() + 3);
      d.setHours(17, 0, 0, 0);
      return d;
    case 'week':
      d.setDate(d.getDate() + 7);
      d.setHours(17, 0, 0, 0);
      return d;
  }
}

interface Values {
  title: string;
  instructions: string;
  category: Category | '';
  priority: Priority;
  /** datetime-local, in the browser's time zone */
  deadline: string;
}

const FIELDS = ['title', 'instructions', 'category', 'priority', 'deadline'];

/** The local date-time as the instant the API expects; left as typed when it is no date, so the schema names the problem. */
function deadlineInstant(local: string): string {
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? local : at.toISOString();
}

const toBody = (v: Values) => ({ title: v.title, instructions: v.instructions, category: v.category, priority: v.priority, deadline: deadlineInstant(v.deadline) });

export function NewTaskPage() {
  const [mode, setMode] = useState<'written' | 'template'>('written');
  return (
    <>
      <PageHeader title="New task" description="Describe the work once, or start from a template of your process library; an assistant with the right skills picks it up." />
      <SegmentedControl
        mb="lg"
        aria-label="How to describe the task"
        value={mode}
        onChange={(v) => setMode(v as 'written' | 'template')}
        data={[
          { value: 'written', label: 'Write it out' },
          { value: 'template', label: 'From a template' },
        ]}
      />
      {mode === 'template' ? <TemplateTaskForm /> : <WrittenTaskForm />}
    </>
  );
}

function WrittenTaskForm() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const form = useForm<Values>({
    initialValues: { title: '', instructions: '', category: '', priority: 'normal', deadline: toLocalInputValue(preset('tomorrow')) },
    validate: contractResolver(createTaskBody, {
      toBody,
      required: {
        title: 'Give the task a title',
        instructions: 'Tell the assistant what to do',
        category: 'Choose a category',
        deadline: 'Choose a deadline',
      },
    }),
  });
  const { category, priority } = form.values;
  // One key per attempt: a double click or a retry after a timeout can't create the task twice.
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);

  const quote = useQuery({
    queryKey: qk.quote(category, priority),
    queryFn: ({ signal }) => api.quote(category as Category, priority, signal),
    enabled: !!category,
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });

  const user = useUser();
  const create = useMutation({
    mutationFn: ({ v, approveOverage }: { v: Values; approveOverage?: boolean }) =>
      api.createTask(
        {
          title: v.title.trim(),
          instructions: v.instructions.trim(),
          category: v.category as Category,
          priority: v.priority,
          deadline: new Date(v.deadline).toISOString(),
          ...(approveOverage ? { approveOverage } : {}),
        },
        idempotencyKey,
      ),
    onSuccess: (task) => {
      void client.invalidateQueries({ queryKey: qk.tasks });
      notifications.show({ title: 'Task submitted', message: `“${task.title}” is queued; assistants with the right skills are being notified.`, color: 'green' });
      void navigate(`/client/tasks/${task.id}`);
    },
    onError: (e) => {
      // A refusal is final, so the corrected form is a new attempt; after a network error or 5xx the outcome is unknown and the same key must be reused.
      if (isApiError(e) && e.status < 500) setIdempotencyKey(newIdempotencyKey());
      showServerFieldError(form, e, FIELDS);
    },
  });

  const submit = form.onSubmit((v) => create.mutate({ v }), focusFirstError);
  const refusal = budgetRefusalOf(create.error);
  const formError = refusal ? null : formLevelError(create.error, FIELDS);

  const now = new Date();
  const max = new Date(Date.now() + LIMITS.deadlineMaxDays * DAY_MS);

  return (
    <>
      <form onSubmit={submit} noValidate aria-label="New task">
        <Grid gap="lg">
          <Grid.Col span={{ base: 12, md: 8 }}>
            <Card withBorder padding="lg">
              <Stack gap="md">
                {formError && <ErrorAlert title="Could not submit the task" error={formError} />}
                {refusal && (
                  <BudgetRefusalAlert
                    refusal={refusal}
                    canApprove={user.orgRole === 'owner'}
                    approving={create.isPending}
                    onApprove={() => create.mutate({ v: form.getValues(), approveOverage: true })}
                  />
                )}
                <TextInput
                  label="Title"
                  placeholder="e.g. Reconcile March bank statement"
                  required
                  maxLength={LIMITS.titleMax}
                  {...form.getInputProps('title')}
                />
                <Textarea
                  label="Instructions"
                  description="Your standard operating procedure: steps, where to find things, what done looks like."
                  required
                  autosize
                  minRows={6}
                  maxRows={20}
                  maxLength={LIMITS.instructionsMax}
                  {...form.getInputProps('instructions')}
                />
                <Group grow align="flex-start" wrap="wrap">
                  <NativeSelect
                    label="Category"
                    required
                    data={CATEGORY_OPTIONS}
                    {...form.getInputProps('category')}
                    miw={200}
                  />
                  <NativeSelect
                    label="Priority"
                    required
                    data={PRIORITIES.map((p) => ({ value: p, label: PRIORITY_HINTS[p] }))}
                    {...form.getInputProps('priority')}
                    miw={160}
                  />
                </Group>
                <div>
                  <TextInput
                    type="datetime-local"
                    label="Deadline"
                    description={`In your time zone (${timeZoneName()}); at most ${LIMITS.deadlineMaxDays} days ahead.`}
                    required
                    min={toLocalInputValue(now)}
                    max={toLocalInputValue(max)}
                    {...form.getInputProps('deadline')}
                  />
                  <Group gap={6} mt={8} aria-label="Deadline shortcuts" role="group">
                    {(
                      [
                        ['4h', 'In 4 hours'],
                        ['tomorrow', 'Tomorrow 17:00'],
                        ['3d', 'In 3 days'],
                        ['week', 'In a week'],
                      ] as const
                    ).map(([kind, label]) => (
                      <Button key={kind} size="compact-xs" variant="default" radius="xl" onClick={() => form.setFieldValue('deadline', toLocalInputValue(preset(kind)))}>
                        {label}
                      </Button>
                    ))}
                  </Group>
                </div>
              </Stack>
            </Card>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 4 }}>
            <QuotePanel
              title="Price"
              testId="price-quote"
              idle={category ? null : 'Choose a category to see the price.'}
              query={quote}
              unavailable="Price unavailable"
              note="Fixed when you submit. You are charged only when the work comes back on time; revisions are included."
              submitting={create.isPending}
            >
              {quote.data && category && (
                <>
                  <Group gap="xs" align="baseline">
                    <Text size="2rem" fw={700} lh={1.1} style={{ opacity: quote.isPlaceholderData ? 0.5 : 1 }}>
                      {formatMoney(quote.data.priceCents, quote.data.currency)}
                    </Text>
                    <Text size="sm" c="dimmed">
                      {CATEGORY_LABELS[category]}, {PRIORITY_LABELS[priority].toLowerCase()} priority
                    </Text>
                  </Group>
                  {quote.data.budget && <BudgetRemaining standing={quote.data.budget} currency={quote.data.currency} />}
                </>
              )}
            </QuotePanel>
          </Grid.Col>
        </Grid>
      </form>
    </>
  );
}
