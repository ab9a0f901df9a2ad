import type { AuthResponse } from '@handoff/contracts';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { user } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';
import { serve } from '../../test/serve';
import { EnrolmentFlow } from './enrolment-flow';
import { SecondStepForm } from './second-step-form';
import { DisableForm } from './security-page';

afterEach(() => vi.unstubAllGlobals());

const CHALLENGE = { twoFactorRequired: true as const, challengeToken: 'challenge-1', expiresIn: 300 };
const SIGNED_IN: AuthResponse = { accessToken: 'token-1', expiresIn: 900, user: user() };
const CODES = Array.from({ length: 10 }, (_, i) => `AAAA-BBBB-CCCC-000${i}`);
const bodyOf = (init: RequestInit) => JSON.parse(String(init.body)) as Record<string, unknown>;

describe('the second sign-in step', () => {
  it('checks the code with the contract before sending it, then sends it with "remember this device"', async () => {
    const calls = serve({ 'POST /api/auth/login/two-factor': () => ({ body: SIGNED_IN }) });
    const onSignedIn = vi.fn();
    renderWithProviders(<SecondStepForm challenge={CHALLENGE} onSignedIn={onSignedIn} onCancel={() => undefined} />);
    const field = screen.getByLabelText(/Authentication code/);
    fireEvent.change(field, { target: { value: '12a456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByText('must be the 6-digit code from the authenticator app')).toBeTruthy();
    expect(calls).toHaveLength(0);

    fireEvent.change(field, { target: { value: '123 456' } });
    fireEvent.click(screen.getByLabelText('Remember this device for 30 days'));
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(onSignedIn).toHaveBeenCalled());
    expect(onSignedIn.mock.calls[0]![0]).toEqual(SIGNED_IN);
    expect(bodyOf(calls[0]!.init)).toEqual({ challengeToken: 'challenge-1', code: '123 456', rememberDevice: true });
  });

  it('takes a recovery code instead, and shows the API’s refusal', async () => {
    const calls = serve({ 'POST /api/auth/login/two-factor': () => ({ status: 401, body: { statusCode: 401, error: 'Unauthorized', message: 'recoveryCode is wrong, expired or used already' } }) });
    renderWithProviders(<SecondStepForm challenge={CHALLENGE} onSignedIn={() => undefined} onCancel={() => undefined} />);
    fireEvent.click(screen.getByRole('button', { name: 'Use a recovery code instead' }));
    fireEvent.change(screen.getByLabelText(/Recovery code/), { target: { value: 'aaaa-bbbb-cccc-dddd' } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByText('recoveryCode is wrong, expired or used already')).toBeTruthy();
    expect(bodyOf(calls[0]!.init)).toEqual({ challengeToken: 'challenge-1', recoveryCode: 'aaaa-bbbb-cccc-dddd', rememberDevice: false });
  });
});

describe('enrolment', () => {
  it('shows the QR code and key, confirms a code, then the recovery codes once with copy and download', async () => {
    const calls = serve({
      'POST /api/auth/two-factor/enrolment': () => ({ status: 201, body: { secret: 'JBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/Handoff:a?secret=JBSWY3DPEHPK3PXP', qrSvg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>' } }),
      'POST /api/auth/two-factor/enrolment/confirm': () => ({ body: { recoveryCodes: CODES } }),
    });
    const onDone = vi.fn();
    renderWithProviders(<EnrolmentFlow onDone={onDone} />);
    fireEvent.click(screen.getByRole('button', { name: 'Set up two-factor sign-in' }));
    const qr = await screen.findByRole('img', { name: 'QR code for your authenticator app' });
    expect(qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3Csvg/);
    expect(screen.getByTestId('totp-secret').textContent).toBe('JBSWY3DPEHPK3PXP');

    fireEvent.click(screen.getByRole('button', { name: 'Turn on' }));
    expect(await screen.findByText('must be the 6-digit code from the authenticator app')).toBeTruthy();
    fireEvent.change(screen.getByLabelText(/Authentication code/), { target: { value: '654321' } });
    fireEvent.click(screen.getByRole('button', { name: 'Turn on' }));
    const list = await screen.findByTestId('recovery-codes');
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual(CODES);
    expect(bodyOf(calls[1]!.init)).toEqual({ code: '654321' });
    expect(screen.getByRole('button', { name: 'Copy' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Download' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'I have saved them' }));
    expect(onDone).toHaveBeenCalled();
  });
});

describe('turning it off', () => {
  it('asks for the password and a code, naming each missing one', async () => {
    // (A fetch Response cannot carry the API's 204 in this test double; any success will do.)
    const calls = serve({ 'POST /api/auth/two-factor/disable': () => ({ body: {} }) });
    const onDone = vi.fn();
    renderWithProviders(<DisableForm onDone={onDone} />);
    fireEvent.click(screen.getByRole('button', { name: 'Turn off two-factor sign-in' }));
    expect(await screen.findByText('must not be empty')).toBeTruthy();
    expect(calls).toHaveLength(0);
    fireEvent.change(screen.getByLabelText(/Password/), { target: { value: 'correct-horse-battery' } });
    fireEvent.change(screen.getByLabelText(/Authentication code/), { target: { value: '111222' } });
    fireEvent.click(screen.getByRole('button', { name: 'Turn off two-factor sign-in' }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(bodyOf(calls[0]!.init)).toEqual({ password: 'correct-horse-battery', code: '111222' });
  });
});
