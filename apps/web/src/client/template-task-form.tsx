import {
  CATEGORY_LABELS,
  createTaskBody,
  formatMoney,
  LIMITS,
  PRIORITIES,
  validateTemplateInputs,
  type InputField,
  type Priority,
  type TemplateSummary,
  type TemplateView,
} from '@handoff/contracts';
import { Anchor, Card, Grid, List, Loader, NativeSelect, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm, type FormErrors } from '@mantine/form';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../api/endpoints';
import { isApiError, newIdempotencyKey } from '../api/http';
import { qk } from '../api/query-keys';
import { ErrorAlert } from '../components/query-state';
import { contractResolver, focusFirstError, sentence, serverFieldError } from '../forms/contract-form';
import { formatDateTime, timeZoneName } from '../lib/format';
import { PRIORITY_LABELS } from '../lib/task-display';
import { useUser } from '../auth/auth-context';
import { BudgetRefusalAlert, BudgetRemaining, budgetRefusalOf } from './budget';
import { QuotePanel } from './quote-panel';

interface Values {
  templateId: string;
  title: string;
  /** Empty: the template's default priority. */
  priority: Priority | '';
  /** One text per input field, as typed; the contract's check turns numbers and dates into values. */
  inputs: Record<string, string>;
}

const FIELDS = ['templateId', 'title', 'priority', 'inputs'];

/** The inputs a submitter filled: blanks left out, so an optional field left empty is absent. */
function filled(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).filter(([, v]) => v.trim() !== ''));
}

function toBody(v: Values) {
  return { templateId: v.templateId || undefined, title: v.title.trim() || undefined, priority: v.priority || undefined, inputs: filled(v.inputs) };
}

/** Own templates first, then the starters shared with every organization. */
function templateOptions(items: TemplateSummary[]) {
  const own = items.filter((t) => !t.starter);
  const starters = items.filter((t) => t.starter);
  const option = (t: TemplateSummary) => ({ value: t.id, label: `${t.name} (${CATEGORY_LABELS[t.category]})` });
  return [
    ...(own.length ? [{ group: 'Your organization', items: own.map(option) }] : []),
    ...(starters.length ? [{ group: 'Starter templates', items: starters.map(option) }] : []),
  ];
}

/** The error under each input field, from the same check the API runs. */
export function inputErrors(fields: readonly InputField[], inputs: Record<string, string>): FormErrors {
  const checked = validateTemplateInputs(fields, filled(inputs));
  if (checked.ok) return {};
  const errors: FormErrors = {};
  for (const issue of checked.issues) {
    const key = issue.key ? `inputs.${issue.key}` : 'inputs';
    if (!(key in errors)) errors[key] = sentence(issue.message);
  }
  return errors;
}

function InputFieldControl({ field, props }: { field: InputField; props: Record<string, unknown> }) {
  const common = { label: field.label, description: field.help, required: field.required, ...props };
  switch (field.type) {
    case 'text':
      return <TextInput {...common} maxLength={field.maxLength} />;
    case 'number':
      return <TextInput {...common} inputMode="decimal" />;
    case 'date':
      return <TextInput {...common} type="date" min={field.min} max={field.max} />;
    case 'choice':
      return <NativeSelect {...common} data={[{ value: '', label: field.required ? 'Choose one' : '—' }, ...field.options]} />;
  }
}

/** A task from a template of the process library: its inputs filled, its price and deadline previewed, its SOP and checklist as the version has them. */
export function TemplateTaskForm() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const templates = useQuery({ queryKey: qk.templates, queryFn: api.templates, staleTime: 60_000 });
  const [templateId, setTemplateId] = useState('');
  const template = useQuery({ queryKey: qk.template(templateId), queryFn: () => api.template(templateId), enabled: !!templateId, staleTime: 60_000 });
  const current: TemplateView | null = template.data?.id === templateId ? template.data : null;

  const form = useForm<Values>({
    initialValues: { templateId: '', title: '', priority: '', inputs: {} },
    validate: (values) => ({
      ...contractResolver(createTaskBody, { toBody, required: { templateId: 'Choose a template' } })(values),
      ...(current ? inputErrors(current.current.inputs, values.inputs) : { templateId: 'Choose a template' }),
    }),
  });
  const choose = (id: string) => {
    setTemplateId(id);
    // Another template has other fields: start its inputs afresh.
    form.setValues({ templateId: id, priority: '', inputs: {} });
    form.clearErrors();
  };

  const [debounced] = useDebouncedValue({ inputs: filled(form.values.inputs), priority: form.values.priority || undefined }, 300);
  const inputsValid = !!current && validateTemplateInputs(current.current.inputs, debounced.inputs).ok;
  const preview = useQuery({
    queryKey: qk.templatePreview(templateId, debounced.inputs, debounced.priority ?? 'default'),
    queryFn: ({ signal }) => api.previewTemplate(templateId, debounced, signal),
    enabled: inputsValid,
    placeholderData: keepPreviousData,
  });

  const user = useUser();
  const create = useMutation({
    mutationFn: ({ v, approveOverage }: { v: Values; approveOverage?: boolean }) => api.createTask({ ...toBody(v), ...(approveOverage ? { approveOverage } : {}) }, idempotencyKey),
    onSuccess: (task) => {
      void client.invalidateQueries({ queryKey: qk.tasks });
      notifications.show({ title: 'Task submitted', message: `“${task.title}” is queued from its template.`, color: 'green' });
      void navigate(`/client/tasks/${task.id}`);
    },
    onError: (e) => {
      if (isApiError(e) && e.status < 500) setIdempotencyKey(newIdempotencyKey());
      // "inputs.count must be at most 500" belongs under that input.
      const input = isApiError(e, 400) ? /^inputs\.([a-z][a-z0-9_]*) (.*)$/.exec(e.message) : null;
      if (input) form.setFieldError(`inputs.${input[1]}`, sentence(input[2]!));
      else {
        const found = serverFieldError(e, FIELDS);
        if (found) form.setFieldError(found.field, found.message);
      }
    },
  });

  const submit = form.onSubmit((v) => create.mutate({ v }), focusFirstError);
  const refusal = budgetRefusalOf(create.error);
  const formError = create.error && !refusal && !serverFieldError(create.error, FIELDS) && !(isApiError(create.error, 400) && create.error.message.startsWith('inputs.')) ? create.error : null;
  const version = current?.current;

  return (
    <form onSubmit={submit} noValidate aria-label="New task from a template">
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
              {templates.error && <ErrorAlert title="Could not load the templates" error={templates.error} />}
              <Select
                label="Template"
                placeholder={templates.isPending ? 'Loading templates…' : 'Choose a template'}
                required
                searchable
                data={templateOptions(templates.data ?? [])}
                nothingFoundMessage="No template by that name"
                {...form.getInputProps('templateId')}
                onChange={(value) => choose(value ?? '')}
              />
              {template.isFetching && !current && <Loader size="sm" aria-label="Loading the template" />}
              {current && (
                <Anchor component={Link} to={`/client/templates/${current.id}/import`} size="sm">
                  Many of these? Import rows from a CSV
                </Anchor>
              )}
              {version && (
                <>
                  <TextInput
                    label="Title"
                    description="The template’s name unless you give another."
                    placeholder={version.name}
                    maxLength={LIMITS.titleMax}
                    {...form.getInputProps('title')}
                  />
                  <NativeSelect
                    label="Priority"
                    data={[{ value: '', label: `The template’s (${PRIORITY_LABELS[version.defaultPriority]})` }, ...PRIORITIES.map((p) => ({ value: p, label: PRIORITY_LABELS[p] }))]}
                    {...form.getInputProps('priority')}
                  />
                  {version.inputs.length > 0 && (
                    <Stack gap="sm" role="group" aria-label="Inputs">
                      <Title order={3} size="h5">
                        Inputs
                      </Title>
                      {version.inputs.map((field) => (
                        <InputFieldControl key={field.key} field={field} props={{ ...form.getInputProps(`inputs.${field.key}`), value: form.values.inputs[field.key] ?? '' }} />
                      ))}
                    </Stack>
                  )}
                  <div>
                    <Title order={3} size="h5" mb={4}>
                      Instructions (version {version.version})
                    </Title>
                    <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="template-instructions">
                      {version.instructions}
                    </Text>
                  </div>
                  {version.checklist.length > 0 && (
                    <div>
                      <Title order={3} size="h5" mb={4}>
                        Checklist ({version.checklist.length} steps)
                      </Title>
                      <List size="sm" type="ordered">
                        {version.checklist.map((s) => (
                          <List.Item key={s.id}>
                            {s.title}
                            {!s.required && ' (optional)'}
                          </List.Item>
                        ))}
                      </List>
                    </div>
                  )}
                </>
              )}
            </Stack>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <QuotePanel
            title="Price and deadline"
            testId="template-preview"
            idle={!current ? 'Choose a template to see the price.' : !inputsValid ? 'Fill in the required inputs to see the price and the deadline.' : null}
            query={preview}
            unavailable="Preview unavailable"
            note="Fixed when you submit. You are charged only when the work comes back on time."
            submitting={create.isPending}
          >
            {preview.data && (
              <Stack gap={4} style={{ opacity: preview.isPlaceholderData ? 0.5 : 1 }}>
                <Text size="2rem" fw={700} lh={1.1}>
                  {formatMoney(preview.data.priceCents, preview.data.currency)}
                </Text>
                <Text size="sm">Due {formatDateTime(preview.data.deadline, { zone: true })}</Text>
                {preview.data.budget && <BudgetRemaining standing={preview.data.budget} currency={preview.data.currency} />}
                {preview.data.templateBudget && <BudgetRemaining standing={preview.data.templateBudget} currency={preview.data.currency} label="Template budget" />}
                {preview.data.timeZone !== timeZoneName() && (
                  <Text size="xs" c="dimmed">
                    From your organization’s business hours in {preview.data.timeZone}.
                  </Text>
                )}
              </Stack>
            )}
          </QuotePanel>
        </Grid.Col>
      </Grid>
    </form>
  );
}
