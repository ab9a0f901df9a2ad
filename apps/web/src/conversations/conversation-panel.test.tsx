import type { MessagePage, MessageView, UnreadSummary } from '@handoff/contracts';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearAccessToken } from '../api/token-store';
import { Markdown } from '../components/markdown';
import { LiveProvider } from '../live/live-provider';
import { FakeSocket } from '../test/fake-socket';
import { user } from '../test/fixtures';
import { renderWithProviders } from '../test/render';
import { serve } from '../test/serve';
import { ConversationPanel, UnreadBadge } from './conversation-panel';

vi.mock('@mantine/notifications', () => ({ notifications: { show: vi.fn() } }));

const TASK = '22222222-2222-4222-8222-222222222222';
const ME = user({ id: 'client-1', role: 'client' });
const XSS = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>[click](javascript:window.__pwned=3) **bold**';

function message(overrides: Partial<MessageView> = {}): MessageView {
  return {
    id: 'm-1',
    taskId: TASK,
    seq: 1,
    authorId: 'asst-1',
    authorName: 'Alex Assistant',
    authorRole: 'assistant',
    body: 'Hello',
    mentions: [],
    version: 1,
    createdAt: new Date(Date.now() - 60_000).toISOString(),
    editedAt: null,
    deletedAt: null,
    ...overrides,
  };
}

function page(messages: MessageView[], extra: Partial<MessagePage> = {}): MessagePage {
  const items: MessagePage['items'] = [
    {
      kind: 'event',
      at: new Date(Date.now() - 120_000).toISOString(),
      event: { id: 'e-1', action: 'claim', fromStatus: 'queued', toStatus: 'claimed', actorId: 'asst-1', actorRole: 'assistant', note: null, result: null, createdAt: new Date(Date.now() - 120_000).toISOString() },
    },
    ...messages.map((m) => ({ kind: 'message' as const, at: m.createdAt, message: m })),
  ];
  return { items, nextCursor: null, unread: 0, seenUpTo: 0, ...extra };
}

afterEach(() => {
  vi.unstubAllGlobals();
  clearAccessToken();
  delete (window as { __pwned?: number }).__pwned;
});

describe('Markdown', () => {
  it('draws emphasis, code, lists and safe links as elements, and markup as its characters', () => {
    const { container } = renderWithProviders(<Markdown source={`${XSS}\n\n- one\n- two\n\n\`x<y>\` [site](https://example.com)`} />);
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('strong')?.textContent).toBe('bold');
    expect(container.textContent).toContain('<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>');
    // A javascript: link stays text; an https one is a link.
    const links = [...container.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://example.com']);
    expect(container.textContent).toContain('[click](javascript:window.__pwned=3)');
    expect(container.querySelectorAll('li')).toHaveLength(2);
    expect(container.querySelector('code')?.textContent).toBe('x<y>');
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
  });
});

describe('conversation panel', () => {
  it('shows messages and state changes in one timeline, a stored script as inert text, and marks the newest seen', async () => {
    const calls = serve({
      [`GET /api/tasks/${TASK}/messages`]: () => ({ body: page([message(), message({ id: 'm-2', seq: 2, body: XSS, createdAt: new Date(Date.now() - 30_000).toISOString() })], { unread: 2 }) }),
      [`POST /api/tasks/${TASK}/messages/seen`]: () => ({ body: { taskId: TASK, unread: 0, seenUpTo: 2 } }),
    });
    const { container } = renderWithProviders(<ConversationPanel taskId={TASK} viewer={ME} />);
    const list = await screen.findByRole('list', { name: 'Conversation' });
    expect(within(list).getByTestId('conversation-event').textContent).toContain('Claimed');
    const bodies = within(list).getAllByTestId('conversation-message').map((m) => m.getAttribute('data-message-id'));
    expect(bodies).toEqual(['m-1', 'm-2']);
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    expect(list.textContent).toContain('<script>window.__pwned=2</script>');
    await waitFor(() => expect(calls.some((c) => c.url.pathname.endsWith('/messages/seen'))).toBe(true));
    const seen = calls.find((c) => c.url.pathname.endsWith('/messages/seen'))!;
    expect(JSON.parse(String(seen.init.body))).toEqual({ upTo: 'm-2' });
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it('checks the composer against the contract before sending, then shows the posted message', async () => {
    const posted = message({ id: 'm-9', seq: 2, authorId: ME.id, authorName: ME.name, authorRole: 'client', body: 'On **it**', createdAt: new Date().toISOString() });
    const calls = serve({
      [`GET /api/tasks/${TASK}/messages`]: () => ({ body: page([message()], { seenUpTo: 1 }) }),
      [`POST /api/tasks/${TASK}/messages`]: () => ({ status: 201, body: posted }),
      [`POST /api/tasks/${TASK}/messages/seen`]: () => ({ body: { taskId: TASK, unread: 0, seenUpTo: 2 } }),
    });
    renderWithProviders(<ConversationPanel taskId={TASK} viewer={ME} />);
    await screen.findByRole('list', { name: 'Conversation' });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(await screen.findByText('Write a message first')).toBeTruthy();
    fireEvent.change(screen.getByLabelText(/^Message/), { target: { value: 'x'.repeat(10_001) } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(await screen.findByText('Must be at most 10000 characters')).toBeTruthy();
    expect(calls.filter((c) => c.init.method === 'POST' && c.url.pathname.endsWith('/messages'))).toHaveLength(0);
    fireEvent.change(screen.getByLabelText(/^Message/), { target: { value: 'On **it**' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    const mine = await waitFor(() => {
      const el = document.querySelector('[data-message-id="m-9"]');
      if (!el) throw new Error('not yet');
      return el as HTMLElement;
    });
    expect(mine.querySelector('strong')?.textContent).toBe('it');
    const sent = calls.find((c) => c.init.method === 'POST' && c.url.pathname.endsWith('/messages'))!;
    expect(JSON.parse(String(sent.init.body))).toEqual({ body: 'On **it**' });
    // Mine, within the window: edit and delete offered.
    expect(within(mine).getByRole('button', { name: 'Edit' })).toBeTruthy();
    expect(within(mine).getByRole('button', { name: 'Delete' })).toBeTruthy();
  });

  it('edits within 10 minutes (shown as edited), not after; a deleted message shows as deleted', async () => {
    const fresh = message({ id: 'm-1', authorId: ME.id, authorRole: 'client', body: 'draft' });
    const old = message({ id: 'm-2', seq: 2, authorId: ME.id, authorRole: 'client', body: 'old one', createdAt: new Date(Date.now() - 11 * 60_000).toISOString() });
    serve({
      [`GET /api/tasks/${TASK}/messages`]: () => ({ body: page([old, fresh].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt)), { seenUpTo: 2 }) }),
      [`PATCH /api/tasks/${TASK}/messages/m-1`]: () => ({ body: { ...fresh, body: 'final', version: 2, editedAt: new Date().toISOString() } }),
      [`DELETE /api/tasks/${TASK}/messages/m-2`]: () => ({ body: { ...old, body: null, version: 2, deletedAt: new Date().toISOString() } }),
    });
    renderWithProviders(<ConversationPanel taskId={TASK} viewer={ME} />);
    await screen.findByRole('list', { name: 'Conversation' });
    const oldEl = () => document.querySelector('[data-message-id="m-2"]') as HTMLElement;
    const freshEl = () => document.querySelector('[data-message-id="m-1"]') as HTMLElement;
    expect(within(oldEl()).queryByRole('button', { name: 'Edit' })).toBeNull();
    fireEvent.click(within(freshEl()).getByRole('button', { name: 'Edit' }));
    fireEvent.change(within(freshEl()).getByLabelText('Edit message'), { target: { value: 'final' } });
    fireEvent.click(within(freshEl()).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(within(freshEl()).getByTestId('markdown').textContent).toBe('final'));
    expect(freshEl().textContent).toContain('edited');
    fireEvent.click(within(oldEl()).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(oldEl().textContent).toContain('This message was deleted.'));
    expect(oldEl().textContent).not.toContain('old one');
    expect(within(oldEl()).queryByRole('button', { name: 'Delete' })).toBeNull();
  });

  it('shows new messages and edits live, without a reload, and keeps the unread badge in step', async () => {
    // The seen mark is held back until the badge has been looked at.
    let letSeen: () => void = () => undefined;
    const seenHeld = new Promise<void>((resolve) => (letSeen = resolve));
    const calls = serve({
      [`GET /api/tasks/${TASK}/messages`]: () => ({ body: page([message()], { seenUpTo: 1 }) }),
      [`POST /api/tasks/${TASK}/messages/seen`]: async () => {
        await seenHeld;
        return { body: { taskId: TASK, unread: 0, seenUpTo: 2 } };
      },
      'GET /api/messages/unread': () => ({ body: { total: 0, tasks: [] } satisfies UnreadSummary }),
    });
    const socket = new FakeSocket();
    renderWithProviders(
      <LiveProvider user={ME} createSocket={() => socket}>
        <UnreadBadge taskId={TASK} />
        <ConversationPanel taskId={TASK} viewer={ME} />
      </LiveProvider>,
    );
    await screen.findByRole('list', { name: 'Conversation' });
    const gets = () => calls.filter((c) => c.url.pathname === `/api/tasks/${TASK}/messages`).length;
    const before = gets();
    const live = message({ id: 'm-2', seq: 2, body: 'Live _hello_', createdAt: new Date().toISOString() });
    await act(async () => {
      socket.serverSends('message.created', { taskId: TASK, message: live, unread: 1 });
      await new Promise((r) => setTimeout(r, 0));
    });
    await waitFor(() => expect(document.querySelector('[data-message-id="m-2"]')?.textContent).toContain('Live hello'));
    expect((await screen.findByTestId('unread-badge')).textContent).toBe('1');
    letSeen();
    // Viewing the panel marks it seen, which clears the badge.
    await waitFor(() => expect(screen.queryByTestId('unread-badge')).toBeNull());
    await act(async () => {
      socket.serverSends('message.updated', { taskId: TASK, message: { ...live, body: null, version: 2, deletedAt: new Date().toISOString() }, unread: 0 });
      await new Promise((r) => setTimeout(r, 0));
    });
    await waitFor(() => expect(document.querySelector('[data-message-id="m-2"]')?.textContent).toContain('This message was deleted.'));
    // An older version arriving late changes nothing.
    await act(async () => {
      socket.serverSends('message.updated', { taskId: TASK, message: live, unread: 0 });
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(document.querySelector('[data-message-id="m-2"]')?.textContent).toContain('This message was deleted.');
    expect(gets()).toBe(before);
  });
});
