import type { InputField, TemplateSummary, TemplateView } from '@handoff/contracts';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { qk } from '../api/query-keys';
import { clearAccessToken, setAccessToken } from '../api/token-store';
import { AuthProvider } from '../auth/auth-context';
import { task, user } from '../test/fixtures';
import { renderWithProviders, testQueryClient } from '../test/render';
import { serve } from '../test/serve';
import { inputErrors, TemplateTaskForm } from './template-task-form';

vi.mock('@mantine/notifications', () => ({ notifications: { show: vi.fn() } }));

const TPL = '55555555-5555-4555-8555-555555555555';
const FIELDS: InputField[] = [
  { key: 'invoice_number', label: 'Invoice number', type: 'text', required: true, maxLength: 40 },
  { key: 'count', label: 'Invoices', type: 'number', required: false, integer: true, min: 1, max: 500 },
];

const summary: TemplateSummary = {
  id: TPL,
  organizationId: 'org',
  starter: false,
  name: 'Invoice entry',
  category: 'data_entry',
  defaultPriority: 'high',
  version: 3,
  versionId: 'v3',
  stepCount: 2,
  inputCount: 2,
  deadlineRule: { kind: 'business_hours', hours: 4 },
  archivedAt: null,
  monthlyBudgetCents: null,
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
};
const view: TemplateView = {
  ...summary,
  current: {
    id: 'v3',
    templateId: TPL,
    version: 3,
    name: 'Invoice entry',
    category: 'data_entry',
    defaultPriority: 'high',
    instructions: 'Enter every invoice.',
    checklist: [
      { id: 's1', title: 'Open the folder', detail: null, required: true },
      { id: 's2', title: 'Flag duplicates', detail: null, required: false },
    ],
    inputs: FIELDS,
    deadlineRule: { kind: 'business_hours', hours: 4 },
    createdBy: null,
    createdAt: new Date().toISOString(),
  },
};

function renderForm(viewer = user()) {
  const client = testQueryClient();
  client.setQueryData(qk.me, viewer);
  return renderWithProviders(
    <AuthProvider>
      <TemplateTaskForm />
    </AuthProvider>,
    { client },
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
  clearAccessToken();
});

describe('inputErrors', () => {
  it('puts each problem under its input, in the contract’s words', () => {
    expect(inputErrors(FIELDS, { invoice_number: '', count: '501' })).toEqual({ 'inputs.invoice_number': 'Is required', 'inputs.count': 'Must be at most 500' });
    expect(inputErrors(FIELDS, { invoice_number: 'INV-1', count: '' })).toEqual({});
  });
});

describe('TemplateTaskForm', () => {
  it('shows the template’s fields, checks them, previews price and deadline, and submits templateId with the inputs', async () => {
    setAccessToken('client-token', 900);
    const deadline = new Date(Date.now() + 5 * 3_600_000).toISOString();
    const calls = serve({
      'GET /api/templates': () => ({ body: { items: [summary], nextCursor: null } }),
      [`GET /api/templates/${TPL}`]: () => ({ body: view }),
      [`POST /api/templates/${TPL}/preview`]: () => ({
        body: { templateId: TPL, versionId: 'v3', version: 3, category: 'data_entry', priority: 'high', priceCents: 1875, currency: 'USD', submittedAt: new Date().toISOString(), deadline, timeZone: 'Europe/Berlin', inputs: { invoice_number: 'INV-7' } },
      }),
      'POST /api/tasks': () => ({ status: 201, body: task({ id: 'new-task', title: 'Invoice entry' }) }),
    });
    renderForm();
    const picker = await screen.findByPlaceholderText('Choose a template');
    fireEvent.click(picker);
    fireEvent.click(await screen.findByRole('option', { name: /Invoice entry/, hidden: true }));
    expect(await screen.findByText('Enter every invoice.')).toBeTruthy();
    expect(screen.getByText('Flag duplicates (optional)')).toBeTruthy();

    // Submitting without the required input stops at the form, naming it.
    fireEvent.click(screen.getByRole('button', { name: 'Submit task' }));
    expect(await screen.findByText('Is required')).toBeTruthy();
    expect(calls.filter((c) => c.url.pathname === '/api/tasks')).toHaveLength(0);

    fireEvent.change(screen.getByLabelText(/Invoice number/), { target: { value: 'INV-7' } });
    await waitFor(() => expect(screen.getByTestId('template-preview').textContent).toContain('$18.75'));
    expect(screen.getByTestId('template-preview').textContent).toContain('Europe/Berlin');

    fireEvent.click(screen.getByRole('button', { name: 'Submit task' }));
    await waitFor(() => expect(calls.filter((c) => c.url.pathname === '/api/tasks')).toHaveLength(1));
    const sent = calls.find((c) => c.url.pathname === '/api/tasks')!;
    expect(JSON.parse(String(sent.init.body))).toEqual({ templateId: TPL, inputs: { invoice_number: 'INV-7' } });
  });

  it('shows what is left of the budgets, and a refusal over budget with the approve action for an owner', async () => {
    setAccessToken('client-token', 900);
    const deadline = new Date(Date.now() + 5 * 3_600_000).toISOString();
    const refusal = {
      statusCode: 422,
      error: 'Unprocessable Entity',
      code: 'budget_exceeded',
      message: 'this task ($18.75) would take the organization’s committed spend this month to $105.00, $5.00 over its monthly budget of $100.00',
      scope: 'organization',
      templateId: null,
      monthlyCents: 10_000,
      committedCents: 8_625,
      priceCents: 1_875,
      overByCents: 500,
      currency: 'USD',
    };
    const calls = serve({
      'GET /api/templates': () => ({ body: { items: [summary], nextCursor: null } }),
      [`GET /api/templates/${TPL}`]: () => ({ body: view }),
      [`POST /api/templates/${TPL}/preview`]: () => ({
        body: {
          templateId: TPL, versionId: 'v3', version: 3, category: 'data_entry', priority: 'high', priceCents: 1875, currency: 'USD',
          submittedAt: new Date().toISOString(), deadline, timeZone: 'Europe/Berlin', inputs: { invoice_number: 'INV-7' },
          budget: { monthlyCents: 10_000, committedCents: 8_625, remainingCents: 1_375 },
          templateBudget: { monthlyCents: 5_000, committedCents: 5_100, remainingCents: -100 },
        },
      }),
      'POST /api/tasks': (_url, init) =>
        JSON.parse(String(init.body)).approveOverage ? { status: 201, body: task({ id: 'new-task', title: 'Invoice entry' }) } : { status: 422, body: refusal },
    });
    renderForm();
    fireEvent.click(await screen.findByPlaceholderText('Choose a template'));
    fireEvent.click(await screen.findByRole('option', { name: /Invoice entry/, hidden: true }));
    fireEvent.change(await screen.findByLabelText(/Invoice number/), { target: { value: 'INV-7' } });
    await waitFor(() => expect(screen.getByTestId('template-preview').textContent).toContain('Budget: $13.75 remaining this month of $100.00'));
    expect(screen.getByTestId('template-preview').textContent).toContain('Template budget: $1.00 over this month of $50.00');

    fireEvent.click(screen.getByRole('button', { name: 'Submit task' }));
    expect((await screen.findByRole('alert')).textContent).toContain('$5.00 over its monthly budget of $100.00');
    fireEvent.click(screen.getByRole('button', { name: 'Approve the $5.00 overage and submit' }));
    await waitFor(() => expect(calls.filter((c) => c.url.pathname === '/api/tasks')).toHaveLength(2));
    const [first, second] = calls.filter((c) => c.url.pathname === '/api/tasks').map((c) => JSON.parse(String(c.init.body)));
    expect(first.approveOverage).toBeUndefined();
    expect(second).toEqual({ templateId: TPL, inputs: { invoice_number: 'INV-7' }, approveOverage: true });
  });

  it('a member is told to ask an owner instead', async () => {
    setAccessToken('client-token', 900);
    serve({
      'GET /api/templates': () => ({ body: { items: [summary], nextCursor: null } }),
      [`GET /api/templates/${TPL}`]: () => ({ body: view }),
      [`POST /api/templates/${TPL}/preview`]: () => ({ status: 500, body: { message: 'down' } }),
      'POST /api/tasks': () => ({ status: 422, body: { statusCode: 422, code: 'budget_exceeded', message: 'over by $5.00', scope: 'template', templateId: TPL, overByCents: 500, currency: 'USD' } }),
    });
    renderForm(user({ orgRole: 'member' }));
    fireEvent.click(await screen.findByPlaceholderText('Choose a template'));
    fireEvent.click(await screen.findByRole('option', { name: /Invoice entry/, hidden: true }));
    fireEvent.change(await screen.findByLabelText(/Invoice number/), { target: { value: 'INV-7' } });
    fireEvent.click(screen.getByRole('button', { name: 'Submit task' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Over the template’s monthly budget');
    expect(screen.getByText(/Ask an owner of your organization/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Approve/ })).toBeNull();
  });
});
