import type { TaskView } from '@handoff/contracts';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { qk } from '../api/query-keys';
import { getAccessToken, setAccessToken } from '../api/token-store';
import { ReconnectingIndicator } from '../layout/reconnecting-indicator';
import { FakeSocket } from '../test/fake-socket';
import { task, user } from '../test/fixtures';
import { renderWithProviders } from '../test/render';
import { LiveProvider, useLiveStatus, type LiveStatus } from './live-provider';

vi.mock('@mantine/notifications', () => ({ notifications: { show: vi.fn() } }));

/** Emit as the server would, then let React Query deliver its (macrotask-batched) cache notifications. */
async function play(socket: FakeSocket, event: string, ...args: unknown[]) {
  await act(async () => {
    socket.serverSends(event, ...args);
    await new Promise((r) => setTimeout(r, 0));
  });
}

function TaskList({ fetchList }: { fetchList: () => Promise<{ items: TaskView[]; nextCursor: null }> }) {
  const list = useInfiniteQuery({
    queryKey: qk.taskList({}),
    queryFn: fetchList,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: () => undefined,
  });
  const tasks = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <ul>
      {tasks.map((t) => (
        <li key={t.id} data-testid={`task-row-${t.id}`}>
          <span data-testid="task-status">{t.status}</span> v{t.version}
        </li>
      ))}
    </ul>
  );
}

function Board({ fetchBoard }: { fetchBoard: () => Promise<TaskView[]> }) {
  const board = useQuery({ queryKey: qk.available, queryFn: fetchBoard });
  return <div data-testid="board">{(board.data ?? []).map((t) => t.id).join(',')}</div>;
}

function setup(opts: { fetchList?: () => Promise<{ items: TaskView[]; nextCursor: null }>; viewer?: ReturnType<typeof user> } = {}) {
  const socket = new FakeSocket();
  const fetchList = opts.fetchList ?? vi.fn(async () => ({ items: [task({ id: 'a', version: 1 })], nextCursor: null as null }));
  const view = renderWithProviders(
    <LiveProvider user={opts.viewer ?? user()} createSocket={() => socket}>
      <ReconnectingIndicator />
      <TaskList fetchList={fetchList} />
    </LiveProvider>,
  );
  return { socket, fetchList, ...view };
}

describe('LiveProvider reconnect behaviour', () => {
  it('shows "Reconnecting…" while disconnected and refetches what is on screen after reconnecting', async () => {
    const fetchList = vi.fn(async () => ({ items: [task({ id: 'a', version: 1 })], nextCursor: null as null }));
    const { socket } = setup({ fetchList });
    await screen.findByTestId('task-row-a');
    expect(fetchList).toHaveBeenCalledTimes(1);

    await play(socket, 'connect');
    expect(screen.queryByText('Reconnecting…')).toBeNull();
    // The first connection of a session needs no catch-up: nothing was shown before it.
    expect(fetchList).toHaveBeenCalledTimes(1);

    await play(socket, 'disconnect', 'transport close');
    expect(screen.getByText('Reconnecting…')).toBeTruthy();
    expect(screen.getByRole('status').textContent).toContain('Reconnecting');

    // While we were away the task moved on; the reconnect must pick that up.
    fetchList.mockResolvedValue({ items: [task({ id: 'a', version: 3, status: 'in_progress' })], nextCursor: null });
    await play(socket, 'connect');
    expect(screen.queryByText('Reconnecting…')).toBeNull();
    expect(fetchList).toHaveBeenCalledTimes(2);
    expect(await screen.findByText('in_progress')).toBeTruthy();
  });

  it('shows the indicator when the first connection fails, and catches up once it succeeds', async () => {
    const { socket, fetchList } = setup();
    await screen.findByTestId('task-row-a');
    await play(socket, 'connect_error', new Error('xhr poll error'));
    expect(screen.getByText('Reconnecting…')).toBeTruthy();
    await play(socket, 'connect');
    expect(screen.queryByText('Reconnecting…')).toBeNull();
    expect(fetchList).toHaveBeenCalledTimes(2);
  });

  it('closes its socket and listeners on sign-out (unmount)', async () => {
    const { socket, unmount } = setup();
    await screen.findByTestId('task-row-a');
    expect(socket.listenerCount('task.updated')).toBe(1);
    unmount();
    expect(socket.disconnectCalls).toBe(1);
    expect(socket.listenerCount('task.updated')).toBe(0);
    expect(socket.listenerCount('connect')).toBe(0);
  });
});

describe('LiveProvider reconnect catch-up across views', () => {
  it('refetches the board and the open task after a cut, and a late older event cannot roll the task back', async () => {
    const socket = new FakeSocket();
    const fetchBoard = vi.fn(async () => [task({ id: 'a', version: 1 })]);
    const fetchDetail = vi.fn(async () => task({ id: 'd', version: 2, status: 'claimed', assigneeId: 'asst-1' }));
    function Detail() {
      const q = useQuery({ queryKey: qk.taskDetail('d'), queryFn: fetchDetail });
      return <div data-testid="detail">{q.data ? `${q.data.status} v${q.data.version}` : '…'}</div>;
    }
    renderWithProviders(
      <LiveProvider user={user({ id: 'asst-1', role: 'assistant', organizationId: null, skills: ['bookkeeping'] })} createSocket={() => socket}>
        <ReconnectingIndicator />
        <Board fetchBoard={fetchBoard} />
        <Detail />
      </LiveProvider>,
    );
    await screen.findByText('a');
    await screen.findByText('claimed v2');
    await play(socket, 'connect');

    await play(socket, 'disconnect', 'transport close');
    expect(screen.getByTestId('reconnecting')).toBeTruthy();
    // Missed while away: task a was claimed by someone else, task b was announced, and d was started.
    fetchBoard.mockResolvedValue([task({ id: 'b', version: 1 })]);
    fetchDetail.mockResolvedValue(task({ id: 'd', version: 3, status: 'in_progress', assigneeId: 'asst-1' }));
    await play(socket, 'connect');
    expect(screen.queryByTestId('reconnecting')).toBeNull();
    await waitFor(() => expect(screen.getByTestId('board').textContent).toBe('b'));
    await waitFor(() => expect(screen.getByTestId('detail').textContent).toBe('in_progress v3'));

    // An event older than what the refetch brought (e.g. a relay that ran late) must not undo the catch-up.
    await play(socket, 'task.updated', { task: task({ id: 'd', version: 2, status: 'claimed', assigneeId: 'asst-1' }) });
    expect(screen.getByTestId('detail').textContent).toBe('in_progress v3');
    expect(fetchBoard).toHaveBeenCalledTimes(2);
    expect(fetchDetail).toHaveBeenCalledTimes(2);
  });
});

describe('LiveProvider admin queue health', () => {
  function QueueCounts({ fetchQueues }: { fetchQueues: () => Promise<{ tasks: Record<string, number> }> }) {
    const q = useQuery({ queryKey: qk.queues, queryFn: fetchQueues });
    return <div data-testid="queued">{q.data ? String(q.data.tasks.queued) : '…'}</div>;
  }

  it("refetches an admin's per-state counts once after a burst of task moves", async () => {
    const socket = new FakeSocket();
    const fetchQueues = vi.fn(async () => ({ tasks: { queued: 0 } }));
    renderWithProviders(
      <LiveProvider user={user({ id: 'admin-1', role: 'admin', organizationId: null })} createSocket={() => socket}>
        <QueueCounts fetchQueues={fetchQueues} />
      </LiveProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('queued').textContent).toBe('0'));
    await play(socket, 'connect');
    fetchQueues.mockResolvedValue({ tasks: { queued: 1 } });
    await play(socket, 'task.updated', { task: task({ id: 'a', version: 1 }) });
    await play(socket, 'task.updated', { task: task({ id: 'a', version: 2, status: 'claimed', assigneeId: 'x' }) });
    await waitFor(() => expect(screen.getByTestId('queued').textContent).toBe('1'));
    expect(fetchQueues).toHaveBeenCalledTimes(2);
  });

  it('leaves counts alone for anyone but an admin', async () => {
    // Beside it, an admin hearing the same event: once the admin has refetched, the delay an admin
    // waits has passed for the client too (its timer, had it one, started first), however slow the machine.
    const clientSocket = new FakeSocket();
    const adminSocket = new FakeSocket();
    const clientFetch = vi.fn(async () => ({ tasks: { queued: 0 } }));
    const adminFetch = vi.fn(async () => ({ tasks: { queued: 0 } }));
    const clientView = renderWithProviders(
      <LiveProvider user={user()} createSocket={() => clientSocket}>
        <QueueCounts fetchQueues={clientFetch} />
      </LiveProvider>,
    );
    const adminView = renderWithProviders(
      <LiveProvider user={user({ id: 'admin-1', role: 'admin', organizationId: null })} createSocket={() => adminSocket}>
        <QueueCounts fetchQueues={adminFetch} />
      </LiveProvider>,
    );
    for (const view of [clientView, adminView]) await waitFor(() => expect(within(view.container).getByTestId('queued').textContent).toBe('0'));
    await play(clientSocket, 'connect');
    await play(adminSocket, 'connect');
    await play(clientSocket, 'task.updated', { task: task({ id: 'a', version: 1 }) });
    await play(adminSocket, 'task.updated', { task: task({ id: 'a', version: 1 }) });
    await waitFor(() => expect(adminFetch).toHaveBeenCalledTimes(2));
    expect(clientFetch).toHaveBeenCalledTimes(1);
  });
});

describe('LiveProvider event merging', () => {
  it('applies task.updated by version: newer wins, late and duplicate events are ignored', async () => {
    const { socket } = setup();
    await screen.findByTestId('task-row-a');
    await play(socket, 'connect');

    await play(socket, 'task.updated', { task: task({ id: 'a', version: 3, status: 'in_progress', assigneeId: 'x' }) });
    expect(screen.getByTestId('task-status').textContent).toBe('in_progress');

    // v2 was delayed in transit and arrives after v3; it must not roll the row back.
    await play(socket, 'task.updated', { task: task({ id: 'a', version: 2, status: 'claimed', assigneeId: 'x' }) });
    await play(socket, 'task.updated', { task: task({ id: 'a', version: 3, status: 'in_progress', assigneeId: 'x' }) });
    expect(screen.getByTestId('task-status').textContent).toBe('in_progress');

    await play(socket, 'task.updated', { task: task({ id: 'a', version: 4, status: 'returned', assigneeId: 'x' }) });
    expect(screen.getByTestId('task-status').textContent).toBe('returned');
  });

  it("adds a new task of the viewer's organization and ignores other tenants' tasks", async () => {
    const { socket } = setup();
    await screen.findByTestId('task-row-a');
    await play(socket, 'task.updated', { task: task({ id: 'b', version: 1 }) });
    await play(socket, 'task.updated', { task: task({ id: 'c', version: 1, organizationId: 'someone-else' }) });
    expect(screen.getByTestId('task-row-b')).toBeTruthy();
    expect(screen.queryByTestId('task-row-c')).toBeNull();
  });

  it('keeps the assistant board in step with task.available and task.unavailable', async () => {
    const socket = new FakeSocket();
    renderWithProviders(
      <LiveProvider user={user({ id: 'asst-1', role: 'assistant', organizationId: null, skills: ['bookkeeping'] })} createSocket={() => socket}>
        <Board fetchBoard={async () => [task({ id: 'a', version: 1 })]} />
      </LiveProvider>,
    );
    await screen.findByText('a');
    await play(socket, 'task.available', { task: task({ id: 'b', version: 1, priority: 'urgent' }) });
    expect(screen.getByTestId('board').textContent).toBe('b,a');
    await play(socket, 'task.unavailable', { taskId: 'a', version: 2 });
    expect(screen.getByTestId('board').textContent).toBe('b');
    // A duplicate announcement of the old version arriving late does not bring it back.
    await play(socket, 'task.available', { task: task({ id: 'a', version: 1 }) });
    expect(screen.getByTestId('board').textContent).toBe('b');
  });
});

describe('LiveProvider toasts', () => {
  it('tells a client once when its task is claimed, however many times the event arrives', async () => {
    const { notifications } = await import('@mantine/notifications');
    const show = vi.mocked(notifications.show);
    show.mockClear();
    const { socket } = setup();
    await screen.findByTestId('task-row-a');
    const claimed = task({ id: 'a', version: 2, status: 'claimed', assigneeId: 'asst-1', assigneeName: 'Ana' });
    await play(socket, 'task.updated', { task: claimed });
    await play(socket, 'task.updated', { task: claimed });
    expect(show).toHaveBeenCalledTimes(1);
    expect(show.mock.calls[0]![0]).toMatchObject({ title: 'Task claimed' });
    expect(String(show.mock.calls[0]![0].message)).toContain('Ana');
  });
});

describe('LiveProvider keeps the socket signed in', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  /** Every status the provider showed, in order, so a blink of "disconnected" cannot go unseen. */
  function StatusLog({ log }: { log: LiveStatus[] }) {
    const status = useLiveStatus();
    if (log[log.length - 1] !== status) log.push(status);
    return null;
  }

  function mount() {
    const socket = new FakeSocket();
    const log: LiveStatus[] = [];
    const fetchList = vi.fn(async () => ({ items: [task({ id: 'a', version: 1 })], nextCursor: null as null }));
    renderWithProviders(
      <LiveProvider user={user()} createSocket={() => socket}>
        <StatusLog log={log} />
        <ReconnectingIndicator />
        <TaskList fetchList={fetchList} />
      </LiveProvider>,
    );
    return { socket, log, fetchList };
  }

  it('hands each renewed access token to the open socket, which stays connected', async () => {
    setAccessToken('token-1', 900);
    const { socket, log } = mount();
    await screen.findByTestId('task-row-a');
    await play(socket, 'connect');

    // The dashboard renewed its token shortly before expiry (here, or in another tab).
    act(() => setAccessToken('token-2', 900));
    act(() => setAccessToken('token-3', 900));
    expect(socket.sent).toEqual([
      { event: 'session.renew', payload: { token: 'token-2' } },
      { event: 'session.renew', payload: { token: 'token-3' } },
    ]);
    expect(socket.connected).toBe(true);
    expect(log).toEqual(['connecting', 'connected']);
  });

  it('does not send a token on a socket that is not connected', async () => {
    const { socket } = mount();
    await screen.findByTestId('task-row-a');
    act(() => setAccessToken('token-2', 900));
    expect(socket.sent).toEqual([]);
  });

  it('when the server ends the socket at its token’s expiry, refreshes and reconnects without showing "Reconnecting…"', async () => {
    setAccessToken('token-1', 900);
    const refresh = vi.fn(async (url: string) =>
      url === '/api/auth/refresh' ? new Response(JSON.stringify({ accessToken: 'token-2', expiresIn: 900 }), { status: 200 }) : new Response('{}', { status: 404 }),
    );
    vi.stubGlobal('fetch', refresh);
    const { socket, log, fetchList } = mount();
    await screen.findByTestId('task-row-a');
    await play(socket, 'connect');

    // The tab slept through the renewal: the stored token has run out and the server ended the socket.
    setAccessToken('token-1', 0.001);
    await new Promise((r) => setTimeout(r, 5));
    await play(socket, 'session.ended', { reason: 'expired' });
    await play(socket, 'disconnect', 'io server disconnect');
    await waitFor(() => expect(socket.connectCalls).toBe(1));
    expect(refresh.mock.calls.map((c) => c[0])).toEqual(['/api/auth/refresh']);
    expect(getAccessToken()).toBe('token-2');

    await play(socket, 'connect');
    // Events between the two connections were missed: what is on screen is fetched again.
    await waitFor(() => expect(fetchList).toHaveBeenCalledTimes(2));
    expect(log).toEqual(['connecting', 'connected']);
    expect(screen.queryByTestId('reconnecting')).toBeNull();
  });

  it('shows the indicator and checks the session when the socket ended because the session did', async () => {
    setAccessToken('token-1', 900);
    const calls: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        calls.push(url);
        return new Response('{}', { status: 401 });
      }),
    );
    const { socket } = mount();
    await screen.findByTestId('task-row-a');
    await play(socket, 'connect');
    await play(socket, 'session.ended', { reason: 'signed_out' });
    await play(socket, 'disconnect', 'io server disconnect');
    expect(screen.getByTestId('reconnecting')).toBeTruthy();
    // The session check: /auth/me is refused, the refresh too, and the dashboard signs out.
    await waitFor(() => expect(calls).toEqual(expect.arrayContaining(['/api/auth/me', '/api/auth/refresh'])));
    expect(socket.connectCalls).toBe(0);
  });
});
