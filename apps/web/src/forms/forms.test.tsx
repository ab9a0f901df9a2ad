import { createTaskFields, LIMITS, registerBody } from '@handoff/contracts';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/http';
import { AuthProvider } from '../auth/auth-context';
import { RegisterPage } from '../auth/register-page';
import { NewTaskPage } from '../client/new-task-page';
import { qk } from '../api/query-keys';
import { clearAccessToken, setAccessToken } from '../api/token-store';
import { user } from '../test/fixtures';
import { renderWithProviders, testQueryClient } from '../test/render';
import { serve } from '../test/serve';
import { contractResolver, serverFieldError } from './contract-form';

vi.mock('@mantine/notifications', () => ({ notifications: { show: vi.fn() } }));

afterEach(() => vi.unstubAllGlobals());

/** The form control whose label starts with `label` (a required field's label ends in " *"). */
const input = (label: string) => screen.getByLabelText(new RegExp(`^${label}`), { selector: 'input, textarea, select' });

/** The field's error as a person with a screen reader meets it: the field is invalid and described by the message. */
function errorOf(field: HTMLElement): string | null {
  if (field.getAttribute('aria-invalid') !== 'true') return null;
  const ids = (field.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
  const error = ids.map((id) => document.getElementById(id)).find((el) => el?.id.endsWith('-error'));
  return error?.textContent ?? null;
}

describe('contractResolver', () => {
  it('reports every field of a contract at once, in the contract’s words unless the field is empty', () => {
    const validate = contractResolver(registerBody, {
      toBody: (v: { name: string; email: string; password: string; organizationName: string }) => ({ role: 'client', ...v }),
      required: { organizationName: 'Your business name is required' },
    });
    expect(validate({ name: ' ', email: 'nope', password: 'short', organizationName: '' })).toEqual({
      name: 'Must not be empty',
      email: 'Must be an e-mail address',
      password: `Must be at least ${LIMITS.passwordMin} characters`,
      organizationName: 'Your business name is required',
    });
    expect(validate({ name: 'Dana', email: 'dana@example.test', password: 'correct-horse-battery', organizationName: 'Dental' })).toEqual({});
  });

  it('puts a body field under the form field it is typed into', () => {
    const validate = contractResolver(createTaskFields.pick({ title: true }), { toBody: (v: { heading: string }) => ({ title: v.heading }), fields: { title: 'heading' } });
    expect(validate({ heading: '' })).toEqual({ heading: 'Must not be empty' });
  });
});

describe('serverFieldError', () => {
  const refusal = (message: string, status = 400, field?: string) => new ApiError(status, { statusCode: status, error: 'Bad Request', message, field }, message);

  it('maps a 400 or 422 that starts with a form field onto that field', () => {
    expect(serverFieldError(refusal('deadline must be in the future'), ['title', 'deadline'])).toEqual({ field: 'deadline', message: 'Must be in the future' });
    expect(serverFieldError(refusal('skills.0 must be one of data_entry, research'), ['skills'])).toEqual({ field: 'skills', message: 'Must be one of data_entry, research' });
    expect(serverFieldError(refusal('amountCents 9999 exceeds what is left', 422), ['amountCents'])?.field).toBe('amountCents');
    expect(serverFieldError(refusal('is taken', 400, 'email'), ['email'])).toEqual({ field: 'email', message: 'Is taken' });
    expect(serverFieldError(refusal('basePriceCents must be at least 1'), ['price'], { basePriceCents: 'price' })?.field).toBe('price');
  });

  it('leaves anything else to the form as a whole', () => {
    expect(serverFieldError(refusal('role is not allowed'), ['title'])).toBeNull();
    expect(serverFieldError(refusal('title changed', 409), ['title'])).toBeNull();
    expect(serverFieldError(new Error('title'), ['title'])).toBeNull();
  });
});

describe('register form', () => {
  it('shows every field’s error at once, each linked to its field, and sends nothing', async () => {
    const calls = serve({});
    renderWithProviders(
      <AuthProvider>
        <RegisterPage />
      </AuthProvider>,
      { route: '/register' },
    );
    fireEvent.change(input('Email'), { target: { value: 'not-an-address' } });
    fireEvent.change(input('Password'), { target: { value: 'short' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));

    const name = input('Name');
    await waitFor(() => expect(errorOf(name)).toBe('Enter your name'));
    expect(errorOf(input('Email'))).toBe('Must be an e-mail address');
    expect(errorOf(input('Password'))).toBe(`Must be at least ${LIMITS.passwordMin} characters`);
    expect(errorOf(input('Organization name'))).toBe('Your business name is required');
    // Focus goes to the first field in error.
    await waitFor(() => expect(document.activeElement).toBe(name));
    expect(calls).toHaveLength(0);
  });

  it('asks an assistant for skills alongside the other fields', async () => {
    serve({});
    renderWithProviders(
      <AuthProvider>
        <RegisterPage />
      </AuthProvider>,
      { route: '/register?role=assistant' },
    );
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByText('Pick at least one skill')).toBeTruthy();
    expect(screen.getByText('Enter your name')).toBeTruthy();
    expect(screen.getByText('Enter your email')).toBeTruthy();
  });
});

/** The page reads the signed-in client (an owner may approve an overage). */
function renderNewTask() {
  setAccessToken('client-token', 900);
  const client = testQueryClient();
  client.setQueryData(qk.me, user());
  return renderWithProviders(
    <AuthProvider>
      <NewTaskPage />
    </AuthProvider>,
    { client },
  );
}

describe('new task form', () => {
  afterEach(() => clearAccessToken());

  it('shows every missing field at once', async () => {
    const calls = serve({});
    renderNewTask();
    fireEvent.click(screen.getByRole('button', { name: 'Submit task' }));
    await waitFor(() => expect(errorOf(input('Title'))).toBe('Give the task a title'));
    expect(errorOf(input('Instructions'))).toBe('Tell the assistant what to do');
    expect(errorOf(input('Category'))).toBe('Choose a category');
    expect(errorOf(input('Deadline'))).toBeNull();
    expect(calls.filter((c) => c.url.pathname === '/api/tasks')).toHaveLength(0);
  });

  it('puts the API’s refusal of a field under that field, not in a banner', async () => {
    const calls = serve({
      'POST /api/tasks/quote': () => ({ body: { priceCents: 2500, currency: 'USD' } }),
      'POST /api/tasks': () => ({ status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'deadline must be at most 90 days ahead' } }),
    });
    renderNewTask();
    fireEvent.change(input('Title'), { target: { value: 'Enter March invoices' } });
    fireEvent.change(input('Instructions'), { target: { value: 'Every line, checked twice.' } });
    fireEvent.change(input('Category'), { target: { value: 'data_entry' } });
    fireEvent.click(screen.getByRole('button', { name: 'Submit task' }));
    await waitFor(() => expect(errorOf(input('Deadline'))).toBe('Must be at most 90 days ahead'));
    expect(screen.queryByText('Could not submit the task')).toBeNull();
    const sent = calls.find((c) => c.url.pathname === '/api/tasks')!;
    expect(JSON.parse(sent.init.body as string)).toMatchObject({ title: 'Enter March invoices', category: 'data_entry', priority: 'normal' });
  });
});
