import type { FileView } from '@handoff/contracts';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearAccessToken, setAccessToken } from '../api/token-store';
import { task, user } from '../test/fixtures';
import { renderWithProviders } from '../test/render';
import { serve } from '../test/serve';
import { formatSize, TaskFiles, uploadPurpose } from './task-files';

const TASK_ID = '55555555-5555-4555-8555-555555555555';

function file(overrides: Partial<FileView> = {}): FileView {
  return {
    id: 'f1',
    taskId: TASK_ID,
    purpose: 'attachment',
    messageId: null,
    uploadedBy: 'client-1',
    name: 'march.xlsx',
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    size: 20_480,
    sha256: 'ab',
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
  clearAccessToken();
});

describe('who may add a file', () => {
  const assistant = user({ id: 'assistant-1', role: 'assistant', organizationId: null });
  it('lets the client attach until the work is over, and the assignee add results while working', () => {
    expect(uploadPurpose(user(), task({ status: 'queued' }))).toBe('attachment');
    expect(uploadPurpose(user(), task({ status: 'returned' }))).toBe('attachment');
    expect(uploadPurpose(user(), task({ status: 'accepted' }))).toBeNull();
    expect(uploadPurpose(user({ organizationId: 'another' }), task())).toBeNull();
    expect(uploadPurpose(assistant, task({ status: 'in_progress', assigneeId: 'assistant-1' }))).toBe('result');
    expect(uploadPurpose(assistant, task({ status: 'claimed', assigneeId: 'assistant-1' }))).toBeNull();
    expect(uploadPurpose(assistant, task({ status: 'in_progress', assigneeId: 'someone-else' }))).toBeNull();
    expect(uploadPurpose(user({ role: 'admin', organizationId: null }), task())).toBeNull();
  });

  it('writes sizes a person reads', () => {
    expect(formatSize(900)).toBe('900 B');
    expect(formatSize(20_480)).toBe('20.0 KB');
    expect(formatSize(3 * 1024 * 1024)).toBe('3.0 MB');
  });
});

describe('a task’s files', () => {
  it('lists the files, uploads the purpose and then the file, and shows the new one', async () => {
    setAccessToken('t');
    let items = [file()];
    const calls = serve({
      [`GET /api/tasks/${TASK_ID}/files`]: () => ({ body: { items } }),
      [`POST /api/tasks/${TASK_ID}/files`]: () => {
        items = [...items, file({ id: 'f2', name: 'notes.pdf', contentType: 'application/pdf', size: 900 })];
        return { status: 201, body: items[1] };
      },
    });
    const { container } = renderWithProviders(<TaskFiles task={task({ id: TASK_ID })} viewer={user()} />);
    expect(await screen.findByText('march.xlsx')).toBeTruthy();
    expect(screen.getByText('20.0 KB')).toBeTruthy();
    const input = container.querySelector('input[type="file"]') as HTMLInputElement;
    fireEvent.change(input, { target: { files: [new File(['%PDF-1.4'], 'notes.pdf', { type: 'application/pdf' })] } });
    expect(await screen.findByText('notes.pdf')).toBeTruthy();
    const sent = calls.find((c) => c.init.method === 'POST')!.init.body as FormData;
    expect([...sent.keys()]).toEqual(['purpose', 'file']);
    expect(sent.get('purpose')).toBe('attachment');
    expect((sent.get('file') as File).name).toBe('notes.pdf');
  });

  it('shows why an upload was refused and keeps the list', async () => {
    setAccessToken('t');
    serve({
      [`GET /api/tasks/${TASK_ID}/files`]: () => ({ body: { items: [file()] } }),
      [`POST /api/tasks/${TASK_ID}/files`]: () => ({ status: 415, body: { statusCode: 415, message: 'this type of file is not allowed', code: 'type_not_allowed' } }),
    });
    const { container } = renderWithProviders(<TaskFiles task={task({ id: TASK_ID })} viewer={user()} />);
    await screen.findByText('march.xlsx');
    fireEvent.change(container.querySelector('input[type="file"]')!, { target: { files: [new File(['MZ'], 'run.exe')] } });
    expect((await screen.findByRole('alert')).textContent).toContain('this type of file is not allowed');
    expect(screen.getByText('march.xlsx')).toBeTruthy();
  });

  it('offers no upload to an admin, who still downloads through a signed link', async () => {
    setAccessToken('t');
    const calls = serve({
      [`GET /api/tasks/${TASK_ID}/files`]: () => ({ body: { items: [file()] } }),
      'GET /api/files/f1/link': () => ({ body: { url: '/api/files/download?token=signed', expiresAt: new Date(Date.now() + 60_000).toISOString() } }),
    });
    const clicked: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.getAttribute('href') ?? '');
    });
    const { container } = renderWithProviders(<TaskFiles task={task({ id: TASK_ID })} viewer={user({ id: 'admin-1', role: 'admin', organizationId: null })} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Download march.xlsx' }));
    await waitFor(() => expect(clicked).toEqual(['/api/files/download?token=signed']));
    expect(container.querySelector('input[type="file"]')).toBeNull();
    expect(calls.some((c) => c.init.method === 'POST')).toBe(false);
  });
});
