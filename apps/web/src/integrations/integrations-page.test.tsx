import type { WebhookDeliveryView, WebhookView } from '@handoff/contracts';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ORG } from '../test/fixtures';
import { renderWithProviders } from '../test/render';
import { serve } from '../test/serve';
import { IntegrationsPage } from './integrations-page';

vi.mock('@mantine/notifications', () => ({ notifications: { show: vi.fn() } }));

const ID = '33333333-3333-4333-8333-333333333333';
const now = new Date().toISOString();

function endpoint(overrides: Partial<WebhookView> = {}): WebhookView {
  return { id: ID, organizationId: ORG, url: 'https://hooks.example.com/in', events: ['task.returned'], description: null, enabled: true, disabled: null, failingSince: null, createdAt: now, updatedAt: now, ...overrides };
}

const delivery: WebhookDeliveryView = {
  id: '44444444-4444-4444-8444-444444444444',
  endpointId: ID,
  messageId: 'evt_12',
  event: 'task.returned',
  status: 'failed',
  attempts: 3,
  requestBody: '{"id":"evt_12","type":"task.returned"}',
  responseStatus: 500,
  responseBody: 'down',
  durationMs: 12,
  error: null,
  lastAttemptAt: now,
  nextRetryAt: null,
  createdAt: now,
  log: [],
};

afterEach(() => vi.unstubAllGlobals());

describe('integrations page', () => {
  it('adds an endpoint with the events picked and shows its secret once', async () => {
    let created: unknown;
    const calls = serve({
      'GET /api/webhooks': () => ({ body: { items: created ? [endpoint()] : [], nextCursor: null } }),
      'POST /api/webhooks': (_url, init) => {
        created = JSON.parse(String(init.body));
        return { status: 201, body: { ...endpoint(), secret: 'whsec_c2VjcmV0LXNob3duLW9uY2Utb25seS1mb3ItdGhpcw==' } };
      },
    });
    renderWithProviders(<IntegrationsPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add endpoint' }));
    fireEvent.click(screen.getAllByRole('button', { name: 'Add endpoint' }).at(-1)!);
    expect(await screen.findByText('Enter the URL to send events to')).toBeTruthy();
    expect(calls.filter((c) => c.init.method === 'POST')).toHaveLength(0);
    fireEvent.change(screen.getByLabelText(/Endpoint URL/), { target: { value: 'https://hooks.example.com/in' } });
    fireEvent.click(screen.getByLabelText('task.returned'));
    fireEvent.click(screen.getAllByRole('button', { name: 'Add endpoint' }).at(-1)!);
    expect((await screen.findByTestId('webhook-secret')).textContent).toBe('whsec_c2VjcmV0LXNob3duLW9uY2Utb25seS1mb3ItdGhpcw==');
    expect(created).toEqual({ url: 'https://hooks.example.com/in', events: ['task.returned'] });
  });

  it('puts a refused URL under its field', async () => {
    serve({
      'GET /api/webhooks': () => ({ body: { items: [], nextCursor: null } }),
      'POST /api/webhooks': () => ({ status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'url is refused: 10.0.0.5 is a private address; webhooks go to public addresses only', field: 'url' } }),
    });
    renderWithProviders(<IntegrationsPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add endpoint' }));
    fireEvent.change(screen.getByLabelText(/Endpoint URL/), { target: { value: 'https://10.0.0.5/in' } });
    fireEvent.click(screen.getByLabelText('task.claimed'));
    fireEvent.click(screen.getAllByRole('button', { name: 'Add endpoint' }).at(-1)!);
    expect(await screen.findByText(/10\.0\.0\.5 is a private address/)).toBeTruthy();
  });

  it('shows why a disabled endpoint was turned off, its delivery log, and redelivers', async () => {
    const calls = serve({
      'GET /api/webhooks': () => ({ body: { items: [endpoint({ enabled: false, disabled: { at: now, reason: 'every delivery failed for 1440 min' } })], nextCursor: null } }),
      [`GET /api/webhooks/${ID}/deliveries`]: () => ({ body: { items: [delivery], nextCursor: null } }),
      [`POST /api/webhooks/${ID}/deliveries/${delivery.id}/redeliver`]: () => ({ status: 202, body: { ...delivery, status: 'pending' } }),
    });
    renderWithProviders(<IntegrationsPage />);
    expect(await screen.findByText(/every delivery failed for 1440 min/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Delivery log' }));
    const table = await screen.findByRole('table', { name: 'Delivery log' });
    expect(within(table).getByText('500')).toBeTruthy();
    fireEvent.click(within(table).getByRole('button', { name: 'Redeliver' }));
    await waitFor(() => expect(calls.some((c) => c.init.method === 'POST' && c.url.pathname.endsWith('/redeliver'))).toBe(true));
  });
});
