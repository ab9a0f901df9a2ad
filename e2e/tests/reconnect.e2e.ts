import { useBrowser } from '../support/browser.js';
import { act, call, registerAssistant, registerClient, submitTask, uniqueId } from '../support/api.js';
import { expectCount, expectRowStatus, signIn, until, watchLiveSocket, watchNavigation } from '../support/live.js';

// How the socket is cut: `context.setOffline(true)` makes Chromium fail the
// established WebSocket at once (and every request after it), which is what a
// dropped Wi-Fi looks like to the page. Socket.IO notices the close, the
// dashboard shows "Reconnecting…", and its retries fail until the network
// returns. Nothing on the server is touched, so the API keeps emitting events
// this tab never receives: only the refetch after the reconnect can repair it.

describe('the dashboard after its live connection drops', () => {
  const session = useBrowser();

  it("shows that it is reconnecting and catches up on what it missed, without a reload", async () => {
    const { page, context } = session;
    const client = await registerClient('Cut Client');
    const assistant = await registerAssistant('Cut Assistant', ['data_entry']);
    const task = await submitTask(client, { title: `Key in the supplier invoices ${uniqueId()}`, category: 'data_entry' });

    const live = watchLiveSocket(page);
    const nav = watchNavigation(page);
    await signIn(page, client, '/client/tasks');
    await expectRowStatus(page, task.id, 'queued', 'client');
    await until('live socket up', async () => live.open(), 1);
    const navigationsBefore = nav.navigations();

    await context.setOffline(true);
    await until('live socket closed by the cut', async () => live.open(), 0);
    await expectCount(page.getByTestId('reconnecting'), 1, 'reconnecting indicator while cut');
    await session.snap('cut');

    // While the client is away the task moves twice; both task.updated events are emitted to nobody in this tab.
    await act(assistant, task.id, 'claim');
    await act(assistant, task.id, 'start');
    // Still cut: the row must not have changed by any other route (polling, say) while offline.
    expect(await page.getByTestId(`task-row-${task.id}`).getByTestId('task-status').getAttribute('data-status')).toBe('queued');
    await expectCount(page.getByTestId('reconnecting'), 1, 'reconnecting indicator still shown while cut');

    await context.setOffline(false);
    await until('live socket up again', async () => live.open(), 1, 30_000);
    await expectCount(page.getByTestId('reconnecting'), 0, 'reconnecting indicator gone');
    await expectRowStatus(page, task.id, 'in_progress', 'client after the reconnect');
    await until('assignee shown after the reconnect', async () => (await page.getByTestId(`task-row-${task.id}`).textContent())?.includes(assistant.name), true);

    // Caught up by the refetch, not by a reload or a route change.
    expect(nav.loads()).toBe(1);
    expect(nav.navigations()).toBe(navigationsBefore);
    expect(live.connects()).toBe(2);

    // And live again: the next move arrives as an event.
    await call('POST', `/tasks/${task.id}/return`, { token: assistant.token, body: { result: 'All invoices keyed in.' } });
    await expectRowStatus(page, task.id, 'returned', 'client, live after the reconnect');
  });
});
