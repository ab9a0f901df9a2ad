import type { TaskView, TemplateView } from '@handoff/contracts';
import type { Page } from 'playwright-core';
import { seriousFindings } from '../support/axe.js';
import { field, useBrowser } from '../support/browser.js';
import { act, call, registerAssistant, registerClient, uniqueId, type Person } from '../support/api.js';

// A client opens a template's process from the templates list, reads its
// figures and runs, and downloads the month's statement as a PDF.

async function signIn(page: Page, person: Person): Promise<void> {
  await page.goto('/sign-in');
  await field(page, 'Email').fill(person.email);
  await field(page, 'Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/client/tasks');
}

describe('a template’s process, and the statement as a PDF', () => {
  const session = useBrowser();
  let client: Person;
  let template: TemplateView;
  const runs: TaskView[] = [];

  beforeAll(async () => {
    client = await registerClient('Process Client');
    const assistant = await registerAssistant('Process Assistant', ['data_entry']);
    template = await call<TemplateView>('POST', '/templates', {
      token: client.token,
      body: { name: `Supplier invoices ${uniqueId()}`, category: 'data_entry', instructions: 'Enter every invoice.', deadlineRule: { kind: 'calendar_hours', hours: 24 } },
    });
    for (let i = 0; i < 3; i++) runs.push(await call<TaskView>('POST', '/tasks', { token: client.token, body: { templateId: template.id, inputs: {} } }));
    for (const task of runs.slice(0, 2)) {
      await act(assistant, task.id, 'claim');
      await act(assistant, task.id, 'start');
      await call('POST', `/tasks/${task.id}/return`, { token: assistant.token, body: { result: 'Done.' } });
    }
    await act(client, runs[0]!.id, 'accept');
  });

  it('shows the figures and the runs, and passes axe-core', async () => {
    const page = session.page;
    await signIn(page, client);
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByRole('link', { name: `View process of ${template.name}` }).click();
    await page.getByRole('heading', { name: `${template.name}: process` }).waitFor();
    await page.getByTestId(`run-row-${runs[2]!.id}`).waitFor();
    const recent = page.getByRole('list', { name: 'Figures, last 30 days' });
    await expect(recent.getByRole('listitem').filter({ hasText: 'Tasks' }).first().textContent()).resolves.toContain('3');
    await expect(recent.getByRole('listitem').filter({ hasText: 'On time' }).textContent()).resolves.toContain('100%');
    await expect(page.getByTestId('spend-this-month').textContent()).resolves.toContain(`$${((runs[0]!.priceCents + runs[1]!.priceCents) / 100).toFixed(2)}`);
    await expect(page.getByTestId(`run-row-${runs[0]!.id}`).getByTestId('task-status').getAttribute('data-status')).resolves.toBe('accepted');
    await page.getByRole('img', { name: 'Tasks submitted, returned on time and returned late per week' }).locator('svg').first().waitFor();
    expect(await seriousFindings(page)).toEqual([]);
  });

  it('downloads the month’s statement as a PDF', async () => {
    const page = session.page;
    await signIn(page, client);
    await page.goto('/client/statement');
    await page.getByTestId('statement-total-USD').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download PDF' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^handoff-statement-\d{4}-\d{2}\.pdf$/);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const pdf = Buffer.concat(chunks);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.subarray(-6).toString()).toContain('%%EOF');
  });
});
