import {
  CATEGORY_LABELS,
  RECURRENCE_KINDS,
  WEEKDAYS,
  type InputField,
  type RecurrenceRule,
  type ScheduleRunView,
  type ScheduleView,
  type Weekday,
} from '@handoff/contracts';
import { Badge, Button, Card, Checkbox, Grid, Group, NativeSelect, NumberInput, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api/endpoints';
import { errorMessage } from '../api/http';
import { qk } from '../api/query-keys';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { QueryState } from '../components/query-state';
import { formatDateTime } from '../lib/format';

type Kind = (typeof RECURRENCE_KINDS)[number];

export const KIND_LABELS: Record<Kind, string> = {
  daily: 'Every day',
  weekdays: 'Every weekday (Mon–Fri)',
  weekly: 'Weekly, on chosen days',
  monthly_day: 'Monthly, on a day',
  monthly_last_business_day: 'Monthly, on the last business day',
  cron: 'Cron expression',
};

const DAY_LABELS: Record<Weekday, string> = { sun: 'Sun', mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat' };

/** What the rule builder holds, as typed. */
export interface RuleValues {
  kind: Kind;
  time: string;
  days: Weekday[];
  day: number;
  expression: string;
}

/** The rule the API takes from the builder's values; runs start now. */
export function ruleOf(v: RuleValues, start = new Date()): RecurrenceRule {
  const window = { start: start.toISOString() };
  switch (v.kind) {
    case 'daily':
    case 'weekdays':
    case 'monthly_last_business_day':
      return { kind: v.kind, time: v.time, ...window };
    case 'weekly':
      return { kind: 'weekly', days: WEEKDAYS.filter((d) => v.days.includes(d)), time: v.time, ...window };
    case 'monthly_day':
      return { kind: 'monthly_day', day: v.day, time: v.time, ...window };
    case 'cron':
      return { kind: 'cron', expression: v.expression.trim(), ...window };
  }
}

/** A rule in words: "Weekly on Mon, Thu at 17:30". */
export function describeRule(rule: RecurrenceRule): string {
  switch (rule.kind) {
    case 'daily':
      return `Every day at ${rule.time}`;
    case 'weekdays':
      return `Every weekday at ${rule.time}`;
    case 'weekly':
      return `Weekly on ${rule.days.map((d) => DAY_LABELS[d]).join(', ')} at ${rule.time}`;
    case 'monthly_day':
      return `Monthly on day ${rule.day} at ${rule.time}`;
    case 'monthly_last_business_day':
      return `Last business day of the month at ${rule.time}`;
    case 'cron':
      return `Cron ${rule.expression}`;
  }
}

const STATE_COLORS: Record<ScheduleView['state'], string> = { active: 'teal', paused: 'orange', ended: 'gray' };

function CreateSchedule({ onCreated }: { onCreated: () => void }) {
  const templates = useQuery({ queryKey: qk.templates, queryFn: api.templates });
  const [templateId, setTemplateId] = useState<string | null>(null);
  const template = useQuery({ queryKey: qk.template(templateId ?? ''), queryFn: () => api.template(templateId!), enabled: !!templateId });
  const [rule, setRule] = useState<RuleValues>({ kind: 'daily', time: '09:00', days: ['mon'], day: 1, expression: '0 9 * * 1-5' });
  const [inputs, setInputs] = useState<Record<string, string>>({});
  const fields: InputField[] = template.data?.current.inputs ?? [];
  const create = useMutation({
    mutationFn: () => {
      const filled = Object.fromEntries(Object.entries(inputs).filter(([k, v]) => v.trim() !== '' && fields.some((f) => f.key === k)));
      return api.createSchedule({ templateId: templateId!, rule: ruleOf(rule), inputs: Object.keys(filled).length ? filled : null });
    },
    onSuccess: () => {
      notifications.show({ color: 'teal', title: 'Schedule created', message: 'Its runs are listed below.' });
      setInputs({});
      onCreated();
    },
    onError: (e) => notifications.show({ color: 'red', title: 'Not created', message: errorMessage(e) }),
  });
  const set = (patch: Partial<RuleValues>) => setRule((r) => ({ ...r, ...patch }));
  const options = (templates.data ?? []).filter((t) => !t.archivedAt).map((t) => ({ value: t.id, label: `${t.name} (${CATEGORY_LABELS[t.category]})` }));
  return (
    <Card withBorder>
      <Stack>
        <Title order={4}>New schedule</Title>
        <Select label="Template" placeholder="Choose a template" data={options} value={templateId} onChange={setTemplateId} searchable />
        <Grid>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <NativeSelect
              label="Repeats"
              data={RECURRENCE_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))}
              value={rule.kind}
              onChange={(e) => set({ kind: e.currentTarget.value as Kind })}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            {rule.kind === 'cron' ? (
              <TextInput label="Cron expression" description="minute hour day month weekday, in your organization’s time zone" value={rule.expression} onChange={(e) => set({ expression: e.currentTarget.value })} />
            ) : (
              <TextInput label="Time" type="time" description="In your organization’s time zone" value={rule.time} onChange={(e) => set({ time: e.currentTarget.value })} />
            )}
          </Grid.Col>
        </Grid>
        {rule.kind === 'weekly' && (
          <Checkbox.Group label="Days" value={rule.days} onChange={(days) => set({ days: days as Weekday[] })}>
            <Group mt="xs">
              {WEEKDAYS.map((d) => (
                <Checkbox key={d} value={d} label={DAY_LABELS[d]} />
              ))}
            </Group>
          </Checkbox.Group>
        )}
        {rule.kind === 'monthly_day' && (
          <NumberInput label="Day of the month" description="29–31 run on the last day of shorter months" min={1} max={31} value={rule.day} onChange={(v) => set({ day: Number(v) || 1 })} />
        )}
        {fields.map((f) => (
          <TextInput
            key={f.key}
            label={f.label}
            required={f.required && f.type !== 'date'}
            placeholder={f.type === 'date' ? 'YYYY-MM-DD' : undefined}
            description={f.type === 'date' ? 'Leave empty for each run’s own date' : f.required ? 'Fixed for every run' : 'Optional, fixed for every run'}
            value={inputs[f.key] ?? ''}
            onChange={(e) => {
              const value = e.currentTarget.value;
              setInputs((held) => ({ ...held, [f.key]: value }));
            }}
          />
        ))}
        <Group justify="flex-end">
          <Button onClick={() => create.mutate()} loading={create.isPending} disabled={!templateId}>
            Create schedule
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function Runs({ schedule }: { schedule: ScheduleView }) {
  const runs = useQuery({ queryKey: qk.scheduleRuns(schedule.id), queryFn: () => api.scheduleRuns(schedule.id) });
  return (
    <Grid>
      <Grid.Col span={{ base: 12, md: 5 }}>
        <Text fw={600} size="sm">
          Upcoming runs ({schedule.timeZone})
        </Text>
        {schedule.nextRuns.length === 0 && <Text size="sm">No run left.</Text>}
        <Stack gap={2} data-testid={`upcoming-${schedule.id}`}>
          {schedule.nextRuns.map((r) => (
            <Text key={r.at} size="sm" td={r.skipped ? 'line-through' : undefined}>
              {r.local.replace('T', ' ')}
              {r.skipped ? ' (skipped)' : ''}
            </Text>
          ))}
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 7 }}>
        <Text fw={600} size="sm">
          Past runs
        </Text>
        {runs.data?.items.length === 0 && <Text size="sm">None yet.</Text>}
        <Stack gap={2}>
          {runs.data?.items.map((r: ScheduleRunView) => (
            <Text key={r.id} size="sm">
              {formatDateTime(r.scheduledAt)} · {r.outcome}
              {r.taskId ? (
                <>
                  {' · '}
                  <Link to={`/client/tasks/${r.taskId}`}>task{r.taskStatus ? ` (${r.taskStatus.replace('_', ' ')})` : ''}</Link>
                </>
              ) : null}
              {r.missed > 0 ? ` · ${r.missed} missed while offline` : ''}
              {r.reason ? ` · ${r.reason}` : ''}
            </Text>
          ))}
        </Stack>
      </Grid.Col>
    </Grid>
  );
}

/** The organization's recurring schedules: create one from a template, pause, resume, skip the next run, see upcoming and past runs. */
export function SchedulesPage() {
  const client = useQueryClient();
  const list = useQuery({ queryKey: qk.schedules, queryFn: api.schedules });
  const [open, setOpen] = useState<string | null>(null);
  const refresh = () => void client.invalidateQueries({ queryKey: qk.schedules });
  const act = useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'pause' | 'resume' | 'skip' | 'delete' }) =>
      action === 'pause' ? api.pauseSchedule(id) : action === 'resume' ? api.resumeSchedule(id) : action === 'skip' ? api.skipSchedule(id) : api.deleteSchedule(id),
    onSuccess: refresh,
    onError: (e) => notifications.show({ color: 'red', title: 'Not changed', message: errorMessage(e) }),
  });
  return (
    <>
      <PageHeader title="Schedules" description="Templates that become tasks on a calendar, in your organization’s time zone." />
      <Stack>
        <CreateSchedule onCreated={refresh} />
        <QueryState isPending={list.isPending} error={list.error} onRetry={() => void list.refetch()}>
          {list.data && list.data.length === 0 && <EmptyState title="No schedules yet">Create one above: a template that runs every day, weekday, week or month.</EmptyState>}
          {list.data && list.data.length > 0 && (
            <Card withBorder padding={0}>
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Schedule</Table.Th>
                    <Table.Th>Rule</Table.Th>
                    <Table.Th>State</Table.Th>
                    <Table.Th>Next run</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.data.map((s) => (
                    <ScheduleRow key={s.id} schedule={s} open={open === s.id} onToggle={() => setOpen(open === s.id ? null : s.id)} busy={act.isPending} act={(action) => act.mutate({ id: s.id, action })} />
                  ))}
                </Table.Tbody>
              </Table>
            </Card>
          )}
        </QueryState>
      </Stack>
    </>
  );
}

function ScheduleRow({ schedule: s, open, onToggle, busy, act }: { schedule: ScheduleView; open: boolean; onToggle: () => void; busy: boolean; act: (a: 'pause' | 'resume' | 'skip' | 'delete') => void }) {
  const next = s.state === 'active' ? s.nextRuns.find((r) => !r.skipped) : undefined;
  return (
    <>
      <Table.Tr>
        <Table.Td>{s.name}</Table.Td>
        <Table.Td>{describeRule(s.rule)}</Table.Td>
        <Table.Td>
          <Stack gap={2}>
            <Badge color={STATE_COLORS[s.state]}>{s.state}</Badge>
            {s.paused && <Text size="xs">{s.paused.reason}</Text>}
          </Stack>
        </Table.Td>
        <Table.Td>{next ? next.local.replace('T', ' ') : '—'}</Table.Td>
        <Table.Td>
          <Group gap="xs" justify="flex-end" wrap="nowrap">
            {s.state === 'paused' ? (
              <Button size="xs" variant="light" disabled={busy} onClick={() => act('resume')}>
                Resume
              </Button>
            ) : (
              <Button size="xs" variant="light" disabled={busy || s.state === 'ended'} onClick={() => act('pause')}>
                Pause
              </Button>
            )}
            <Button size="xs" variant="subtle" disabled={busy || s.state !== 'active' || !!s.skipAt} onClick={() => act('skip')}>
              Skip next
            </Button>
            <Button size="xs" variant="subtle" onClick={onToggle} aria-expanded={open}>
              {open ? 'Hide runs' : 'Runs'}
            </Button>
            <Button size="xs" variant="subtle" color="red" disabled={busy} onClick={() => act('delete')}>
              Delete
            </Button>
          </Group>
        </Table.Td>
      </Table.Tr>
      {open && (
        <Table.Tr>
          <Table.Td colSpan={5}>
            <Runs schedule={s} />
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}
