import type { Page } from 'playwright-core';
import { call, registerClient, signInAdmin, uniqueId } from '../support/api.js';
import { field, useBrowser } from '../support/browser.js';
import { nextCode, type Authenticator } from '../support/two-factor.js';

// TOTP in the browser: enrolment from the security page (QR code, a code, recovery codes shown once),
// then the second sign-in step with a code, a remembered device and a recovery code; and a new admin,
// who must have a second factor, walked through enrolment before anything else.

async function submitPassword(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/sign-in');
  await field(page, 'Email').fill(email);
  await field(page, 'Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Scan (read the key), confirm a code, and keep the recovery codes the page shows once. */
async function enrolOnPage(page: Page): Promise<Authenticator & { recoveryCodes: string[] }> {
  await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
  await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
  const app: Authenticator = { secret: (await page.getByTestId('totp-secret').textContent())!.trim(), lastStep: null };
  await field(page, 'Authentication code').fill(await nextCode(app));
  await page.getByRole('button', { name: 'Turn on' }).click();
  const codes = page.getByTestId('recovery-codes').getByRole('listitem');
  await codes.first().waitFor();
  const recoveryCodes = (await codes.allTextContents()).map((c) => c.trim());
  await page.getByRole('button', { name: 'Download' }).waitFor();
  await page.getByRole('button', { name: 'I have saved them' }).click();
  return { ...app, recoveryCodes };
}

describe('two-factor sign-in in the browser', () => {
  const session = useBrowser();

  it('enrols from the security page, then signs in with a code, a remembered device and a recovery code', async () => {
    const { page } = session;
    const client = await registerClient('TOTP Client');
    await submitPassword(page, client.email, client.password);
    await page.waitForURL('**/client/tasks');
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Security' }).click();
    await page.waitForURL('**/security');
    const app = await enrolOnPage(page);
    expect(app.recoveryCodes).toHaveLength(10);
    await page.getByTestId('two-factor-state').filter({ hasText: 'On' }).waitFor();
    await session.snap('enrolled');

    // The second step, remembering this browser.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');
    await submitPassword(page, client.email, client.password);
    await page.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor();
    await session.snap('second-step');
    await field(page, 'Authentication code').fill(await nextCode(app));
    await page.getByLabel('Remember this device for 30 days').check();
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL('**/client/tasks');
    await page.getByTestId('user-name').waitFor();

    // Remembered: the password alone signs this browser in.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');
    await submitPassword(page, client.email, client.password);
    await page.waitForURL('**/client/tasks');
    await page.getByTestId('user-name').waitFor();

    // Another browser is asked again; a recovery code opens it, once.
    const other = await session.newPerson('other-browser');
    await submitPassword(other, client.email, client.password);
    await other.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor();
    await other.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await field(other, 'Recovery code').fill(app.recoveryCodes[0]!);
    await other.getByRole('button', { name: 'Verify' }).click();
    await other.waitForURL('**/client/tasks');
    await other.getByTestId('user-name').waitFor();
  });

  it('walks a new admin through enrolment before anything else', async () => {
    const { page } = session;
    const admin = await signInAdmin();
    const person = { email: `admin.${uniqueId()}@example.test`, password: 'correct-horse-battery', name: `Second Admin ${uniqueId()}` };
    await call('POST', '/users', { token: admin.token, body: { ...person, role: 'admin' } });
    await submitPassword(page, person.email, person.password);
    await page.getByRole('heading', { name: 'Set up two-factor sign-in' }).waitFor();
    await page.getByText('Admin accounts must sign in with a second factor.').waitFor();
    await session.snap('admin-must-enrol');
    await enrolOnPage(page);
    await page.waitForURL('**/admin/queue');
    await page.getByTestId('user-name').waitFor();
    expect(await page.getByTestId('user-role').textContent()).toBe('Admin');
  });
});
