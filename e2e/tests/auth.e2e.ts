import { randomBytes } from 'node:crypto';
import { seriousFindings } from '../support/axe.js';
import { field, useBrowser } from '../support/browser.js';

describe('accounts in the browser', () => {
  const session = useBrowser();

  it('registers a client, lands on the client layout, signs out and signs back in', async () => {
    const { page } = session;
    const id = randomBytes(4).toString('hex');
    const person = {
      name: `Dana Tester ${id}`,
      email: `dana.${id}@example.test`,
      password: 'correct-horse-battery',
      organization: `Tester Dental ${id}`,
    };

    await page.goto('/register');
    await field(page, 'Name').fill(person.name);
    await field(page, 'Email').fill(person.email);
    await field(page, 'Password').fill(person.password);
    await field(page, 'Organization name').fill(person.organization);
    await session.snap('filled');
    await page.getByRole('button', { name: 'Create account' }).click();

    // The client layout: its home, the user's name and role in the header, its navigation.
    await page.waitForURL('**/client/tasks');
    await page.getByTestId('user-name').waitFor();
    expect(await page.getByTestId('user-name').textContent()).toBe(person.name);
    expect(await page.getByTestId('user-role').textContent()).toBe('Client');
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'New task' }).waitFor();
    await session.snap('client-home');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');
    // Signed out means the protected page sends us back to sign in.
    await page.goto('/client/tasks');
    await page.waitForURL('**/sign-in');

    await field(page, 'Email').fill(person.email);
    await field(page, 'Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/client/tasks');
    await page.getByTestId('user-name').waitFor();
    expect(await page.getByTestId('user-name').textContent()).toBe(person.name);
  });

  it('refuses a wrong password and stays on the sign-in page', async () => {
    const { page } = session;
    await page.goto('/sign-in');
    await field(page, 'Email').fill('owner@acme-dental.test');
    await field(page, 'Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Could not sign in').waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
  });

  it('shows every error of the registration form at once, each on its field, and axe-core passes the form', async () => {
    const { page } = session;
    await page.goto('/register');
    await field(page, 'Email').fill('not-an-address');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Enter your name').waitFor();
    for (const [label, message] of [
      ['Name', 'Enter your name'],
      ['Email', 'Must be an e-mail address'],
      ['Password', 'At least'],
      ['Organization name', 'Your business name is required'],
    ] as const) {
      const input = field(page, label);
      expect(await input.getAttribute('aria-invalid')).toBe('true');
      const described = await input.evaluate((el) =>
        (el.getAttribute('aria-describedby') ?? '')
          .split(/\s+/)
          .map((id) => document.getElementById(id)?.textContent ?? '')
          .join(' '),
      );
      expect(described).toContain(message);
    }
    // Focus is on the first field in error, and nothing was sent: still on the form.
    expect(await field(page, 'Name').evaluate((el) => el === document.activeElement)).toBe(true);
    expect(new URL(page.url()).pathname).toBe('/register');
    await session.snap('errors');
    expect(await seriousFindings(page)).toEqual([]);
  });
});
