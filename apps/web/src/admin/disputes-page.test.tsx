import type { DisputeView } from '@handoff/contracts';
import { notifications } from '@mantine/notifications';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OpenDisputeForm } from '../disputes/open-dispute-form';
import { task } from '../test/fixtures';
import { renderWithProviders } from '../test/render';
import { serve } from '../test/serve';
import { DisputesPage } from './disputes-page';

vi.mock('@mantine/notifications', () => ({ notifications: { show: vi.fn() } }));

const ID = '33333333-3333-4333-8333-333333333333';
const TASK = '22222222-2222-4222-8222-222222222222';

function dispute(overrides: Partial<DisputeView> = {}): DisputeView {
  return {
    id: ID,
    taskId: TASK,
    taskTitle: 'Enter March invoices',
    organizationId: 'org-1',
    assigneeId: 'assistant-1',
    openedBy: 'client-1',
    reason: 'Three invoices are missing.',
    answer: null,
    answeredAt: null,
    status: 'open',
    outcome: null,
    amountCents: null,
    note: null,
    resolvedBy: null,
    resolvedAt: null,
    ledgerEntryId: null,
    createdAt: new Date(Date.now() - 3_600_000).toISOString(),
    ...overrides,
  };
}

beforeEach(() => vi.mocked(notifications.show).mockClear());
afterEach(() => vi.unstubAllGlobals());

describe('admin disputes page', () => {
  it('lists open disputes with both sides and resolves one with a partial refund, then refetches', async () => {
    let open = [dispute({ answer: 'They were never in the folder.' })];
    const calls = serve({
      'GET /api/disputes': () => ({ body: { items: open, nextCursor: null } }),
      'POST /api/disputes/33333333-3333-4333-8333-333333333333/resolve': () => {
        open = [];
        return { body: dispute({ status: 'resolved', outcome: 'refund', amountCents: 450 }) };
      },
    });
    renderWithProviders(<DisputesPage />);
    const card = await screen.findByTestId(`dispute-${ID}`);
    expect(card.textContent).toContain('Three invoices are missing.');
    expect(card.textContent).toContain('They were never in the folder.');
    expect(within(card).getByRole('link', { name: 'Enter March invoices' }).getAttribute('href')).toBe(`/admin/tasks/${TASK}`);
    expect(calls[0]!.url.searchParams.get('status')).toBe('open');

    const resolve = within(card).getByRole('button', { name: 'Resolve' }) as HTMLButtonElement;
    expect(resolve.disabled).toBe(true);
    fireEvent.click(within(card).getByText('Refund'));
    fireEvent.change(within(card).getByLabelText(/Refund \(USD\)/), { target: { value: '4.50' } });
    fireEvent.change(within(card).getByLabelText(/Note/), { target: { value: ' Three of twenty were wrong. ' } });
    await waitFor(() => expect(resolve.disabled).toBe(false));
    fireEvent.click(resolve);

    await waitFor(() => expect(notifications.show).toHaveBeenCalledWith(expect.objectContaining({ message: 'Resolved: refund.', color: 'green' })));
    const post = calls.find((c) => c.init.method === 'POST')!;
    expect(JSON.parse(post.init.body as string)).toEqual({ outcome: 'refund', amountCents: 450, note: 'Three of twenty were wrong.' });
    expect(await screen.findByText('No open disputes')).toBeTruthy();
  });

  it('sends no amount for rework and shows the API’s refusal', async () => {
    const calls = serve({
      'GET /api/disputes': () => ({ body: { items: [dispute()], nextCursor: null } }),
      'POST /api/disputes/33333333-3333-4333-8333-333333333333/resolve': () => ({ status: 409, body: { statusCode: 409, error: 'Conflict', message: 'the dispute is already resolved' } }),
    });
    renderWithProviders(<DisputesPage />);
    const card = await screen.findByTestId(`dispute-${ID}`);
    expect(within(card).queryByLabelText(/Refund \(USD\)/)).toBeNull();
    fireEvent.change(within(card).getByLabelText(/Note/), { target: { value: 'Remove the duplicates.' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Resolve' }));
    await waitFor(() => expect(notifications.show).toHaveBeenCalledWith(expect.objectContaining({ message: 'the dispute is already resolved', color: 'red' })));
    expect(JSON.parse(calls.find((c) => c.init.method === 'POST')!.init.body as string)).toEqual({ outcome: 'rework', note: 'Remove the duplicates.' });
  });
});

describe('open dispute form', () => {
  it('sends the trimmed reason and names the field the API refused', async () => {
    let status = 400;
    const calls = serve({
      [`POST /api/tasks/${TASK}/dispute`]: () =>
        status === 400 ? { status, body: { statusCode: 400, error: 'Bad Request', message: 'reason must not be empty', field: 'reason' } } : { status: 201, body: dispute() },
    });
    renderWithProviders(<OpenDisputeForm task={task({ id: TASK, status: 'returned' })} />);
    const reason = screen.getByLabelText(/Reason for the dispute/) as HTMLTextAreaElement;
    const button = screen.getByRole('button', { name: 'Open dispute' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    fireEvent.change(reason, { target: { value: '  The totals are wrong.  ' } });
    fireEvent.click(button);
    // Shown under the field it names, as a sentence.
    await waitFor(() => expect(screen.getByText(/^must not be empty/i)).toBeTruthy());
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual({ reason: 'The totals are wrong.' });
    status = 201;
    fireEvent.click(button);
    await waitFor(() => expect(reason.value).toBe(''));
  });
});
