import type { FailedJob, FailedJobsPage, RetryJobsResult } from '@handoff/contracts';
import { notifications } from '@mantine/notifications';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearAccessToken } from '../api/token-store';
import { renderWithProviders } from '../test/render';
import { serve, type Answer } from '../test/serve';
import { QueuePage, retriedMessage } from './queue-page';

vi.mock('@mantine/notifications', () => ({ notifications: { show: vi.fn() } }));

const TASK = '22222222-2222-4222-8222-222222222222';

function failedJob(overrides: Partial<FailedJob> = {}): FailedJob {
  return {
    id: `deadline/${TASK}`,
    name: 'timers.deadline',
    failedReason: 'connect ECONNREFUSED 127.0.0.1:5432',
    attemptsMade: 5,
    failedAt: new Date(Date.now() - 120_000).toISOString(),
    taskIds: [TASK],
    ...overrides,
  };
}

const PAGE_POLL_MS = 10_000;

/** Registers the page's polls without ever firing them; answers how many it held (so a changed interval fails here, loudly). */
function holdPagePolls(): () => number {
  const real = globalThis.setInterval;
  let held = 0;
  vi.spyOn(globalThis, 'setInterval').mockImplementation(((handler: () => void, ms?: number) => {
    if (ms !== PAGE_POLL_MS) return real(handler, ms);
    held++;
    return real(() => undefined, 2 ** 31 - 1);
  }) as typeof setInterval);
  return () => held;
}

function stats(failed: { dispatch?: number; timers?: number }) {
  return {
    queues: [
      { name: 'dispatch', waiting: 0, active: 0, delayed: 0, failed: failed.dispatch ?? 0, completed: 10 },
      { name: 'timers', waiting: 0, active: 0, delayed: 4, failed: failed.timers ?? 0, completed: 3 },
    ],
    tasks: { queued: 1 },
    overdue: 0,
    escalated: 0,
    outboxPending: 0,
  };
}

beforeEach(() => {
  vi.mocked(notifications.show).mockClear();
});

afterEach(() => {
  vi.unstubAllGlobals();
  clearAccessToken();
});

describe('queue health: failed jobs', () => {
  it('shows no failed-jobs section and asks for none when nothing failed', async () => {
    const calls = serve({ 'GET /api/admin/queues': () => ({ body: stats({}) }) });
    renderWithProviders(<QueuePage />);
    expect(await screen.findByTestId('queue-row-timers')).toBeTruthy();
    expect(screen.queryByTestId('failed-jobs-dispatch')).toBeNull();
    expect(screen.queryByTestId('failed-jobs-timers')).toBeNull();
    expect(screen.queryByRole('button', { name: /Retry all failed/ })).toBeNull();
    expect(calls.some((c) => c.url.pathname.includes('/failed'))).toBe(false);
  });

  it('lists the failed jobs of a failing queue with the reason and links to their tasks', async () => {
    const reason = `Task ${TASK} could not be loaded: ${'timeout '.repeat(40).trim()}`;
    const page: FailedJobsPage = {
      items: [failedJob({ failedReason: reason }), failedJob({ id: 'deadline/other', taskIds: [] })],
      total: 2,
    };
    const calls = serve({
      'GET /api/admin/queues': () => ({ body: stats({ timers: 2 }) }),
      'GET /api/admin/queues/timers/failed': () => ({ body: page }),
    });
    renderWithProviders(<QueuePage />);

    const table = await screen.findByRole('table', { name: 'Failed jobs in timers' });
    const row = within(table).getByTestId(`failed-job-row-deadline/${TASK}`);
    expect(row.textContent).toContain('timers.deadline');
    expect(within(row).getByTitle(reason)).toBeTruthy();
    expect(within(row).getByRole('link', { name: `Task ${TASK}` }).getAttribute('href')).toBe(`/admin/tasks/${TASK}`);
    expect(within(screen.getByTestId('failed-jobs-timers')).getByTestId('retry-failed-timers')).toBeTruthy();
    expect(screen.queryByTestId('failed-jobs-dispatch')).toBeNull();

    const listed = calls.filter((c) => c.url.pathname.endsWith('/failed'));
    expect(listed.map((c) => c.url.pathname)).toEqual(['/api/admin/queues/timers/failed']);
    expect(listed[0]!.url.searchParams.get('limit')).toBe('20');
  });

  it('retries every failed job of the queue, disabling the button meanwhile, then notifies and refetches', async () => {
    // The page polls every 10 s. Its poll never fires here, so only the invalidation after the retry can
    // refetch, however long a busy machine takes to get there.
    const held = holdPagePolls();
    let failed = 3;
    let answer: (a: Answer) => void = () => undefined;
    const calls = serve({
      'GET /api/admin/queues': () => ({ body: stats({ dispatch: failed }) }),
      'GET /api/admin/queues/dispatch/failed': () => ({
        body: { items: Array.from({ length: failed }, (_, i) => failedJob({ id: `announce/${i}`, name: 'dispatch.announce' })), total: failed },
      }),
      'POST /api/admin/queues/dispatch/retry': () => new Promise<Answer>((resolve) => (answer = resolve)),
    });
    renderWithProviders(<QueuePage />);
    await screen.findByTestId('failed-job-row-announce/2');

    const button = screen.getByRole('button', { name: 'Retry all failed jobs in dispatch' }) as HTMLButtonElement;
    fireEvent.click(button);
    await waitFor(() => expect(button.disabled).toBe(true));
    const post = calls.find((c) => c.init.method === 'POST')!;
    expect(post.url.pathname).toBe('/api/admin/queues/dispatch/retry');
    expect(JSON.parse(post.init.body as string)).toEqual({});

    const before = calls.length;
    failed = 0;
    answer({ body: { retried: 3, skipped: [] } satisfies RetryJobsResult });
    await waitFor(() => expect(notifications.show).toHaveBeenCalledWith(expect.objectContaining({ message: '3 jobs retried.', color: 'green' })));
    await waitFor(() => expect(screen.queryByTestId('failed-jobs-dispatch')).toBeNull());
    expect(held()).toBeGreaterThan(0);
    const refetched = calls.slice(before).map((c) => c.url.pathname);
    expect(refetched).toContain('/api/admin/queues');
  });

  it('retries one job by id and reports what the API skipped', async () => {
    const calls = serve({
      'GET /api/admin/queues': () => ({ body: stats({ timers: 1 }) }),
      'GET /api/admin/queues/timers/failed': () => ({ body: { items: [failedJob()], total: 1 } }),
      'POST /api/admin/queues/timers/retry': () => ({ body: { retried: 0, skipped: [`deadline/${TASK}`] } }),
    });
    renderWithProviders(<QueuePage />);
    fireEvent.click(await screen.findByRole('button', { name: `Retry job deadline/${TASK}` }));
    await waitFor(() => expect(notifications.show).toHaveBeenCalled());
    const post = calls.find((c) => c.init.method === 'POST')!;
    expect(JSON.parse(post.init.body as string)).toEqual({ jobIds: [`deadline/${TASK}`] });
    expect(notifications.show).toHaveBeenCalledWith(expect.objectContaining({ message: '0 jobs retried; 1 skipped because it was no longer failed.' }));
  });

  it('shows the API’s message when a retry is refused', async () => {
    serve({
      'GET /api/admin/queues': () => ({ body: stats({ timers: 1 }) }),
      'GET /api/admin/queues/timers/failed': () => ({ body: { items: [failedJob()], total: 1 } }),
      'POST /api/admin/queues/timers/retry': () => ({ status: 503, body: { statusCode: 503, error: 'Service Unavailable', message: 'Redis is not reachable' } }),
    });
    renderWithProviders(<QueuePage />);
    const button = (await screen.findByTestId('retry-failed-timers')) as HTMLButtonElement;
    fireEvent.click(button);
    await waitFor(() =>
      expect(notifications.show).toHaveBeenCalledWith(expect.objectContaining({ title: 'Could not retry timers jobs', message: 'Redis is not reachable', color: 'red' })),
    );
    await waitFor(() => expect(button.disabled).toBe(false));
  });
});

describe('retriedMessage', () => {
  it('counts in words a person reads', () => {
    expect(retriedMessage({ retried: 1, skipped: [] })).toBe('1 job retried.');
    expect(retriedMessage({ retried: 2, skipped: ['a', 'b'] })).toBe('2 jobs retried; 2 skipped because they were no longer failed.');
  });
});
