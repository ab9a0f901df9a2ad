import type { RatingView, TaskRatingView, UserView } from '@handoff/contracts';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { qk } from '../api/query-keys';
import { clearAccessToken, setAccessToken } from '../api/token-store';
import { AuthProvider } from '../auth/auth-context';
import { ORG, task, user } from '../test/fixtures';
import { renderWithProviders, testQueryClient } from '../test/render';
import { serve } from '../test/serve';
import { RatingControl } from './rating-control';

vi.mock('@mantine/notifications', () => ({ notifications: { show: vi.fn() } }));

const TASK = '33333333-3333-4333-8333-333333333333';
const accepted = task({ id: TASK, status: 'accepted', assigneeId: 'asst-1', acceptedAt: new Date(Date.now() - 3_600_000).toISOString() });
const until = new Date(Date.now() + 6 * 86_400_000).toISOString();

function rating(overrides: Partial<RatingView> = {}): RatingView {
  const at = new Date().toISOString();
  return { taskId: TASK, organizationId: ORG, assistantId: 'asst-1', stars: 4, comment: 'Tidy work.', ratedBy: 'client-1', revision: 1, createdAt: at, updatedAt: at, ...overrides };
}

function renderAs(viewer: UserView) {
  setAccessToken('token', 900);
  const client = testQueryClient();
  client.setQueryData(qk.me, viewer);
  return renderWithProviders(
    <AuthProvider>
      <RatingControl task={accepted} />
    </AuthProvider>,
    { client },
  );
}

/** A star as a pointer picks it: Mantine's Rating takes the click on the star's label. */
function pickStar(n: number): void {
  const radio = screen.getAllByRole('radio').find((r) => (r as HTMLInputElement).value === String(n))!;
  fireEvent.click(document.querySelector(`label[for="${radio.id}"]`)!);
}

afterEach(() => {
  vi.unstubAllGlobals();
  clearAccessToken();
});

describe('rating control', () => {
  it('lets the client choose stars and a comment, and sends them', async () => {
    const calls = serve({
      [`GET /api/tasks/${TASK}/rating`]: () => ({ body: { taskId: TASK, rating: null, editableUntil: until } satisfies TaskRatingView }),
      [`PUT /api/tasks/${TASK}/rating`]: (_url, init) => ({ body: rating({ ...(JSON.parse(String(init.body)) as Partial<RatingView>) }) }),
    });
    renderAs(user());
    await screen.findByText('Rate this work');
    pickStar(4);
    fireEvent.change(screen.getByLabelText(/^Comment/), { target: { value: '  Quick and careful.  ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save rating' }));
    await screen.findByText('Rating saved.');
    const put = calls.find((c) => c.init.method === 'PUT')!;
    expect(JSON.parse(String(put.init.body))).toEqual({ stars: 4, comment: 'Quick and careful.' });
    expect(screen.getByRole('button', { name: 'Update rating' })).toBeTruthy();
  });

  it('asks for stars before sending anything', async () => {
    const calls = serve({ [`GET /api/tasks/${TASK}/rating`]: () => ({ body: { taskId: TASK, rating: null, editableUntil: until } }) });
    renderAs(user());
    fireEvent.click(await screen.findByRole('button', { name: 'Save rating' }));
    await screen.findByText('Choose 1 to 5 stars');
    expect(calls.filter((c) => c.init.method === 'PUT')).toEqual([]);
  });

  it('starts from the stored rating, and shows a refusal that names the comment under the comment', async () => {
    serve({
      [`GET /api/tasks/${TASK}/rating`]: () => ({ body: { taskId: TASK, rating: rating(), editableUntil: until } }),
      [`PUT /api/tasks/${TASK}/rating`]: () => ({ status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'comment must be at most 2000 characters' } }),
    });
    renderAs(user());
    await waitFor(() => expect((screen.getByLabelText(/^Comment/) as HTMLTextAreaElement).value).toBe('Tidy work.'));
    fireEvent.click(screen.getByRole('button', { name: 'Update rating' }));
    await screen.findByText('Must be at most 2000 characters');
  });

  it('tells the client that work the review timer accepted has no rating', async () => {
    serve({ [`GET /api/tasks/${TASK}/rating`]: () => ({ body: { taskId: TASK, rating: null, editableUntil: null } }) });
    renderAs(user());
    await screen.findByText('Accepted by the review timer: this work has no rating.');
    expect(screen.queryByRole('button', { name: 'Save rating' })).toBeNull();
  });

  it('shows the assistant the rating, read-only', async () => {
    serve({ [`GET /api/tasks/${TASK}/rating`]: () => ({ body: { taskId: TASK, rating: rating({ stars: 5, comment: 'Perfect.' }), editableUntil: until } }) });
    renderAs(user({ id: 'asst-1', role: 'assistant', organizationId: null }));
    await screen.findByText('“Perfect.”');
    expect(screen.getByLabelText('5 of 5 stars')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /rating$/ })).toBeNull();
  });
});
