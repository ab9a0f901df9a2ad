import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '../test/render';
import { serve } from '../test/serve';
import { ForgotPasswordPage, ResetPasswordPage, tokenFromHash, VerifyEmailPage } from './account-email-pages';

const TOKEN = 'A'.repeat(43);
const bodyOf = (init: RequestInit) => JSON.parse(String(init.body)) as Record<string, unknown>;

afterEach(() => {
  vi.unstubAllGlobals();
  window.location.hash = '';
});

describe('account mail pages', () => {
  it('reads the token from the fragment only', () => {
    expect(tokenFromHash(`#token=${TOKEN}`)).toBe(TOKEN);
    expect(tokenFromHash('')).toBe('');
  });

  it('asks for a reset link and shows the same answer whoever asks', async () => {
    const calls = serve({ 'POST /api/auth/password-reset': () => ({ status: 202, body: { accepted: true, message: 'If an account has this address, a link is on its way.' } }) });
    renderWithProviders(<ForgotPasswordPage />);
    fireEvent.change(screen.getByLabelText(/Email/), { target: { value: 'not-an-address' } });
    fireEvent.click(screen.getByRole('button', { name: 'Mail me a link' }));
    expect(await screen.findByText('Must be an e-mail address')).toBeTruthy();
    expect(calls).toHaveLength(0);

    fireEvent.change(screen.getByLabelText(/Email/), { target: { value: ' owner@example.test ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Mail me a link' }));
    expect((await screen.findByTestId('reset-requested')).textContent).toContain('If an account has this address');
    expect(bodyOf(calls[0]!.init)).toEqual({ email: 'owner@example.test' });
  });

  it('sets a new password with the token from the link, once both entries agree', async () => {
    window.location.hash = `#token=${TOKEN}`;
    const calls = serve({ 'POST /api/auth/password-reset/confirm': () => ({ body: {} }) });
    renderWithProviders(<ResetPasswordPage />);
    fireEvent.change(screen.getByLabelText(/^New password/), { target: { value: 'a-brand-new-passphrase' } });
    fireEvent.change(screen.getByLabelText(/^Repeat the new password/), { target: { value: 'a-different-one' } });
    fireEvent.click(screen.getByRole('button', { name: 'Set the password' }));
    expect(await screen.findByText('The two passwords differ')).toBeTruthy();
    expect(calls).toHaveLength(0);

    fireEvent.change(screen.getByLabelText(/^Repeat the new password/), { target: { value: 'a-brand-new-passphrase' } });
    fireEvent.click(screen.getByRole('button', { name: 'Set the password' }));
    await screen.findByTestId('password-reset');
    expect(bodyOf(calls[0]!.init)).toEqual({ token: TOKEN, password: 'a-brand-new-passphrase' });
  });

  it('says a used link is used', async () => {
    window.location.hash = `#token=${TOKEN}`;
    serve({ 'POST /api/auth/verify-email': () => ({ status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'token is invalid, expired or used already' } }) });
    renderWithProviders(<VerifyEmailPage />);
    expect(await screen.findByText('token is invalid, expired or used already')).toBeTruthy();
  });

  it('confirms the address once per visit', async () => {
    window.location.hash = `#token=${TOKEN}`;
    const calls = serve({ 'POST /api/auth/verify-email': () => ({ body: { email: 'owner@example.test', emailVerifiedAt: new Date().toISOString() } }) });
    renderWithProviders(<VerifyEmailPage />);
    expect((await screen.findByTestId('email-verified')).textContent).toContain('owner@example.test is confirmed');
    await waitFor(() => expect(calls).toHaveLength(1));
  });
});
