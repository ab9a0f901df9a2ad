import type { TaskChecklistLive, TaskChecklistStepView, TaskView } from '@handoff/contracts';
import { useQuery } from '@tanstack/react-query';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../api/endpoints';
import { qk } from '../api/query-keys';
import { clearAccessToken, setAccessToken } from '../api/token-store';
import { LiveProvider } from '../live/live-provider';
import { applyChecklist, checklistIntoPages } from '../live/merge';
import { FakeSocket } from '../test/fake-socket';
import { task, user } from '../test/fixtures';
import { renderWithProviders, testQueryClient } from '../test/render';
import { serve } from '../test/serve';
import { checklistLabel, TaskChecklist } from './task-checklist';

vi.mock('@mantine/notifications', () => ({ notifications: { show: vi.fn() } }));

const TASK_ID = '33333333-3333-4333-8333-333333333333';
const STEP = (n: number) => `44444444-4444-4444-8444-00000000000${n}`;

function step(n: number, overrides: Partial<TaskChecklistStepView> = {}): TaskChecklistStepView {
  return { stepId: STEP(n), position: n - 1, title: `Step ${n}`, detail: null, required: true, done: false, doneAt: null, doneBy: null, note: null, ...overrides };
}

function withChecklist(steps: TaskChecklistStepView[], overrides: Partial<TaskView> = {}): TaskView {
  return task({
    id: TASK_ID,
    status: 'in_progress',
    assigneeId: 'assistant-1',
    templateId: 'tpl',
    templateVersionId: 'ver',
    templateVersion: 2,
    checklist: { done: steps.filter((s) => s.done).length, total: steps.length },
    checklistSteps: steps,
    ...overrides,
  });
}

const live = (steps: TaskChecklistStepView[]): TaskChecklistLive => ({ taskId: TASK_ID, done: steps.filter((s) => s.done).length, total: steps.length, steps });

afterEach(() => {
  vi.unstubAllGlobals();
  clearAccessToken();
});

describe('checklist progress', () => {
  it('reads "N of M steps", and nothing without a checklist', () => {
    expect(checklistLabel({ done: 4, total: 6 })).toBe('4 of 6 steps');
    expect(checklistLabel({ done: 0, total: 1 })).toBe('0 of 1 step');
    expect(checklistLabel({ done: 0, total: 0 })).toBeNull();
  });

  it('folds a live checklist into a task and into list pages, the version unchanged, the same one twice a no-op', () => {
    const before = withChecklist([step(1), step(2)]);
    const update = live([step(1, { done: true }), step(2)]);
    const after = applyChecklist(before, update);
    expect(after).toMatchObject({ version: before.version, checklist: { done: 1, total: 2 } });
    expect(after.checklistSteps![0]!.done).toBe(true);
    expect(applyChecklist(after, update)).toBe(after);
    const pages = { pages: [{ items: [task({ id: 'other' }), { ...before, checklistSteps: undefined }], nextCursor: null }], pageParams: [undefined] };
    const merged = checklistIntoPages(pages, update)!;
    expect(merged.pages[0]!.items[1]!.checklist).toEqual({ done: 1, total: 2 });
    expect(merged.pages[0]!.items[1]!.checklistSteps).toBeUndefined();
    expect(merged.pages[0]!.items[0]).toBe(pages.pages[0]!.items[0]);
    expect(checklistIntoPages(merged, update)).toBe(merged);
  });
});

describe('TaskChecklist', () => {
  it('shows the steps read-only to whoever may not tick: progress, optional steps, notes', () => {
    renderWithProviders(
      <TaskChecklist task={withChecklist([step(1, { done: true, doneAt: new Date().toISOString(), note: 'All 42 entered' }), step(2), step(3, { required: false })])} canTick={false} />,
    );
    expect(screen.getByTestId('checklist-count').textContent).toBe('1 of 3 steps');
    const boxes = screen.getAllByRole('checkbox');
    expect(boxes.map((b) => (b as HTMLInputElement).checked)).toEqual([true, false, false]);
    expect(boxes.every((b) => (b as HTMLInputElement).disabled)).toBe(true);
    expect(screen.getByText(/Note: All 42 entered/)).toBeTruthy();
    expect(within(screen.getByTestId(`checklist-step-${STEP(3)}`)).getByText('Optional')).toBeTruthy();
    expect(screen.queryByText('Add a note')).toBeNull();
  });

  it('renders nothing for a task without a checklist', () => {
    renderWithProviders(<TaskChecklist task={task()} canTick />);
    expect(screen.queryByText('Checklist')).toBeNull();
    expect(screen.queryByRole('checkbox')).toBeNull();
  });

  it('lets the assignee tick a step with a note, and shows the answer', async () => {
    setAccessToken('assistant-token', 900);
    const calls = serve({
      [`PUT /api/tasks/${TASK_ID}/checklist/${STEP(2)}`]: () => ({ body: live([step(1), step(2, { done: true, doneAt: new Date().toISOString(), doneBy: 'assistant-1', note: 'Checked twice' })]) }),
    });
    const client = testQueryClient();
    const initial = withChecklist([step(1), step(2)]);
    client.setQueryData(qk.taskDetail(TASK_ID), initial);
    function Detail() {
      const q = useQuery({ queryKey: qk.taskDetail(TASK_ID), queryFn: () => api.task(TASK_ID), initialData: initial });
      return <TaskChecklist task={q.data} canTick />;
    }
    renderWithProviders(<Detail />, { client });
    const row = screen.getByTestId(`checklist-step-${STEP(2)}`);
    fireEvent.click(within(row).getByText('Add a note'));
    fireEvent.change(within(row).getByLabelText(/Note for/), { target: { value: 'Checked twice' } });
    fireEvent.click(within(row).getByRole('checkbox'));
    await waitFor(() => expect(screen.getByTestId('checklist-count').textContent).toBe('1 of 2 steps'));
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ done: true, note: 'Checked twice' });
    expect((within(screen.getByTestId(`checklist-step-${STEP(2)}`)).getByRole('checkbox') as HTMLInputElement).checked).toBe(true);
    expect(screen.getByText(/Note: Checked twice/)).toBeTruthy();
  });

  it('refuses a note past the limit before sending it, in the contract’s words', async () => {
    const calls = serve({});
    renderWithProviders(<TaskChecklist task={withChecklist([step(1)])} canTick />);
    fireEvent.click(screen.getByText('Add a note'));
    const input = screen.getByLabelText(/Note for/) as HTMLInputElement;
    // The input's maxLength stops typing; a paste through the DOM is what is left to check.
    fireEvent.change(input, { target: { value: 'x'.repeat(2001) } });
    fireEvent.click(screen.getByRole('checkbox'));
    expect(await screen.findByText('Must be at most 2000 characters')).toBeTruthy();
    expect(calls).toHaveLength(0);
  });

  it('shows the API’s refusal under the step (a task no longer in progress)', async () => {
    setAccessToken('assistant-token', 900);
    serve({ [`PUT /api/tasks/${TASK_ID}/checklist/${STEP(1)}`]: () => ({ status: 409, body: { statusCode: 409, error: 'Conflict', message: 'steps are ticked while the task is in progress; it is returned', status: 'returned' } }) });
    renderWithProviders(<TaskChecklist task={withChecklist([step(1)])} canTick />);
    fireEvent.click(screen.getByRole('checkbox'));
    expect((await screen.findByRole('alert')).textContent).toContain('while the task is in progress');
  });

  it('moves the client’s view live, without a reload, as the assistant ticks', async () => {
    setAccessToken('client-token', 900);
    const initial = withChecklist([step(1), step(2), step(3)]);
    const fetches = vi.fn(() => ({ body: initial }));
    serve({ [`GET /api/tasks/${TASK_ID}`]: fetches });
    const socket = new FakeSocket();
    function Detail() {
      const q = useQuery({ queryKey: qk.taskDetail(TASK_ID), queryFn: () => api.task(TASK_ID) });
      return q.data ? <TaskChecklist task={q.data} canTick={false} /> : null;
    }
    renderWithProviders(
      <LiveProvider user={user()} createSocket={() => socket}>
        <Detail />
      </LiveProvider>,
    );
    await screen.findByText('0 of 3 steps');
    await act(async () => {
      socket.serverSends('connect');
      socket.serverSends('task.checklist', live([step(1, { done: true }), step(2), step(3)]));
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(screen.getByTestId('checklist-count').textContent).toBe('1 of 3 steps');
    await act(async () => {
      socket.serverSends('task.checklist', live([step(1, { done: true }), step(2, { done: true, note: 'Done' }), step(3)]));
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(screen.getByTestId('checklist-count').textContent).toBe('2 of 3 steps');
    expect(screen.getByText(/Note: Done/)).toBeTruthy();
    expect(fetches).toHaveBeenCalledTimes(1);
  });
});
