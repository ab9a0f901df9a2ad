import type { ImportProgressLive, ImportView } from '@handoff/contracts';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearAccessToken, setAccessToken } from '../api/token-store';
import { LiveProvider } from '../live/live-provider';
import { FakeSocket } from '../test/fake-socket';
import { templateView, user } from '../test/fixtures';
import { renderWithProviders } from '../test/render';
import { serve } from '../test/serve';
import { ImportPage, importColumns, progressLabel } from './import-page';
import { applyProgress } from './imports-api';

vi.mock('@mantine/notifications', () => ({ notifications: { show: vi.fn() } }));

const TPL = '55555555-5555-4555-8555-555555555555';
const IMP = '66666666-6666-4666-8666-666666666666';
const now = new Date().toISOString();

const template = templateView({
  id: TPL,
  name: 'Invoice entry',
  category: 'data_entry',
  instructions: 'Enter every invoice.',
  inputs: [{ key: 'folder', label: 'Folder', type: 'text', required: true, maxLength: 100 }],
});

function preview(overrides: Partial<ImportView> = {}): ImportView {
  return {
    id: IMP,
    organizationId: 'org',
    templateId: TPL,
    templateVersionId: 'v1',
    templateVersion: 1,
    status: 'preview',
    columns: ['folder'],
    sha256: 'a'.repeat(64),
    total: 3,
    valid: 2,
    rejected: 1,
    created: 0,
    error: null,
    createdBy: 'client-1',
    createdAt: now,
    confirmedAt: null,
    finishedAt: null,
    rows: [
      { rowNumber: 2, values: { folder: 'a' }, errors: [], taskId: null },
      { rowNumber: 3, values: { folder: '' }, errors: [{ column: 'folder', message: 'is required' }], taskId: null },
      { rowNumber: 4, values: { folder: 'b' }, errors: [], taskId: null },
    ],
    ...overrides,
  };
}

const progress = (p: Partial<ImportProgressLive>): ImportProgressLive => ({ importId: IMP, templateId: TPL, status: 'running', total: 3, valid: 2, rejected: 1, created: 0, error: null, ...p });

function renderPage(socket = new FakeSocket()) {
  return renderWithProviders(
    <LiveProvider user={user({ role: 'client' })} createSocket={() => socket}>
      <Routes>
        <Route path="/client/templates/:id/import" element={<ImportPage />} />
      </Routes>
    </LiveProvider>,
    { route: `/client/templates/${TPL}/import` },
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
  clearAccessToken();
});

describe('import helpers', () => {
  it('names the columns a file may have and the progress in words', () => {
    expect(importColumns(template.current)).toEqual(['folder', 'title', 'priority', 'deadline']);
    expect(progressLabel({ created: 1200, valid: 9990 })).toBe('1,200 of 9,990 tasks created');
  });

  it('folds progress in, never backwards, and only into its own import', () => {
    const running = preview({ status: 'running', created: 500 });
    expect(applyProgress(running, progress({ created: 1000 }))?.created).toBe(1000);
    expect(applyProgress(running, progress({ created: 100 }))).toBe(running);
    expect(applyProgress(running, progress({ importId: 'other', created: 2000 }))).toBe(running);
    const done = preview({ status: 'done', created: 2 });
    expect(applyProgress(done, progress({ status: 'running', created: 2 }))).toBe(done);
    expect(applyProgress(undefined, progress({}))).toBeUndefined();
  });
});

describe('the import page', () => {
  it('uploads pasted rows, shows each row with its errors, confirms, moves the bar live, and offers the report', async () => {
    setAccessToken('client-token', 900);
    const calls = serve({
      [`GET /api/templates/${TPL}`]: () => ({ body: template }),
      'POST /api/imports': () => ({ status: 201, body: preview() }),
      [`GET /api/imports/${IMP}`]: () => ({ body: preview() }),
      [`POST /api/imports/${IMP}/confirm`]: () => ({ status: 202, body: preview({ status: 'running', confirmedAt: now }) }),
    });
    const socket = new FakeSocket();
    renderPage(socket);
    await screen.findByText('Import rows: Invoice entry');
    expect(screen.getByText('folder, title, priority, deadline')).toBeTruthy();
    fireEvent.click(screen.getByText('Paste rows'));
    fireEvent.change(screen.getByLabelText(/Rows as CSV/), { target: { value: 'folder\na\n\nb' } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));

    await screen.findByText('3 rows: 2 valid, 1 rejected');
    const upload = calls.find((c) => c.url.pathname === '/api/imports')!;
    expect(JSON.parse(String(upload.init.body))).toEqual({ templateId: TPL, csv: 'folder\na\n\nb' });
    expect(within(screen.getByTestId('import-row-3')).getByText('folder is required')).toBeTruthy();
    expect(within(screen.getByTestId('import-row-2')).getByText('OK')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Download rejected rows' })).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Create 2 tasks' }));
    await waitFor(() => expect(screen.getByTestId('import-status').textContent).toBe('running'));
    expect(screen.getByTestId('import-progress').textContent).toBe('0 of 2 tasks created');

    await act(async () => {
      socket.serverSends('connect');
      socket.serverSends('import.progress', progress({ created: 1 }));
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(screen.getByTestId('import-progress').textContent).toBe('1 of 2 tasks created');
    await act(async () => {
      socket.serverSends('import.progress', progress({ created: 2, status: 'done' }));
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(screen.getByTestId('import-status').textContent).toBe('done');
    expect(screen.getByTestId('import-progress').textContent).toBe('2 of 2 tasks created');
    expect(screen.queryByRole('button', { name: /Create/ })).toBeNull();
  });

  it('sends a chosen file as multipart, templateId first', async () => {
    setAccessToken('client-token', 900);
    const calls = serve({
      [`GET /api/templates/${TPL}`]: () => ({ body: template }),
      'POST /api/imports': () => ({ status: 201, body: preview({ rejected: 0, valid: 3 }) }),
      [`GET /api/imports/${IMP}`]: () => ({ body: preview({ rejected: 0, valid: 3 }) }),
    });
    renderPage();
    await screen.findByText('Import rows: Invoice entry');
    const file = new File(['folder\na\nb\nc'], 'rows.csv', { type: 'text/csv' });
    fireEvent.change(screen.getByLabelText('CSV file'), { target: { files: [file] } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    await screen.findByText('3 rows: 3 valid, 0 rejected');
    const body = calls.find((c) => c.url.pathname === '/api/imports')!.init.body as FormData;
    expect([...body.keys()]).toEqual(['templateId', 'file']);
    expect(body.get('templateId')).toBe(TPL);
    expect((body.get('file') as File).name).toBe('rows.csv');
    expect(screen.queryByRole('button', { name: 'Download rejected rows' })).toBeNull();
  });

  it('shows the API’s refusal of a file in its words', async () => {
    setAccessToken('client-token', 900);
    serve({
      [`GET /api/templates/${TPL}`]: () => ({ body: template }),
      'POST /api/imports': () => ({ status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'file column "colour" is not an input of this template' } }),
    });
    renderPage();
    await screen.findByText('Import rows: Invoice entry');
    fireEvent.click(screen.getByText('Paste rows'));
    fireEvent.change(screen.getByLabelText(/Rows as CSV/), { target: { value: 'colour\nred' } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect((await screen.findByRole('alert')).textContent).toContain('file column "colour" is not an input of this template');
  });
});
