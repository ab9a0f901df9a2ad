import type { NotificationView } from '@handoff/contracts';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { qk } from '../api/query-keys';
import { renderWithProviders } from '../test/render';
import { serve } from '../test/serve';
import { NotificationBell } from './notification-bell';

const TASK = '11111111-1111-4111-8111-111111111111';
const entry = (id: string, readAt: string | null): NotificationView => ({
  id,
  kind: 'task_returned',
  taskId: TASK,
  link: `/client/tasks/${TASK}`,
  title: '“March invoices” is back for your review',
  body: 'Accept it or ask for a revision before 6 Dec 2026, 18:04 UTC.',
  createdAt: new Date().toISOString(),
  readAt,
});

afterEach(() => vi.unstubAllGlobals());

describe('the notification bell', () => {
  it('shows the unread count, lists the latest, marks one read on opening it, and follows the live count', async () => {
    let unread = 2;
    const calls = serve({
      'GET /api/notifications/unread-count': () => ({ body: { unread } }),
      'GET /api/notifications': () => ({ body: { items: [entry('a1a1a1a1-0000-4000-8000-000000000001', null), entry('a1a1a1a1-0000-4000-8000-000000000002', new Date().toISOString())], nextCursor: null, unread } }),
      'POST /api/notifications/a1a1a1a1-0000-4000-8000-000000000001/read': () => {
        unread = 1;
        return { body: { unread } };
      },
    });
    const { client } = renderWithProviders(<NotificationBell />);
    const bell = await screen.findByRole('button', { name: 'Notifications, 2 unread' });
    fireEvent.click(bell);
    const items = await screen.findAllByTestId('notification');
    expect(items).toHaveLength(2);
    expect(items[0]!.getAttribute('data-unread')).toBe('true');
    expect(items[1]!.getAttribute('data-unread')).toBeNull();
    fireEvent.click(items[0]!);
    await waitFor(() => expect(calls.some((c) => c.init.method === 'POST' && c.url.pathname.endsWith('/read'))).toBe(true));
    await screen.findByRole('button', { name: 'Notifications, 1 unread' });
    // What a `notification.created` event does to the badge.
    client.setQueryData(qk.notificationCount, { unread: 5 });
    await screen.findByRole('button', { name: 'Notifications, 5 unread' });
  });
});
