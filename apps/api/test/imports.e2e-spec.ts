import type { ImportView, TemplateView } from '@handoff/contracts';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { eventually } from './support/tasks.js';
import { LiveClient } from './support/sockets.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const NO_ID = '00000000-0000-4000-8000-000000000000';
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

function templateBody() {
  return {
    name: 'Enter invoices',
    category: 'data_entry',
    instructions: 'Enter each invoice in the ledger.',
    checklist: [{ title: 'Open the folder', required: true }],
    inputs: [
      { key: 'folder', label: 'Folder', type: 'text', required: true, maxLength: 100 },
      { key: 'count', label: 'Invoices', type: 'number', integer: true, min: 1, max: 500 },
      { key: 'ledger', label: 'Ledger', type: 'choice', options: ['Xero', 'QuickBooks'] },
    ],
    deadlineRule: { kind: 'business_hours', hours: 8 },
  };
}

/** A multipart upload as a browser's FormData sends it: templateId first, then the file. */
async function uploadFile(t: TestApp, s: Session, templateId: string, csv: string | Buffer, fileField = 'file') {
  const form = new FormData();
  form.append('templateId', templateId);
  form.append(fileField, new Blob([csv], { type: 'text/csv' }), 'rows.csv');
  const res = await fetch(`${t.url}/api/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${s.token}` } });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as ImportView & { message?: string }, headers: res.headers };
}

const MIXED = [
  'folder,count,ledger,title,priority',
  'https://files.example/a,12,Xero,,',
  'https://files.example/b,zero,Xero,,', // count is not a number
  ',3,QuickBooks,,high', // folder missing
  'https://files.example/c,4,Sage,Custom title,urgent', // ledger not a choice
  '',
  'https://files.example/d,5,QuickBooks,Own title,low',
  '=HYPERLINK("http://evil"),600,Xero,,', // count too high; a formula in a cell
].join('\r\n');

describe('imports: bulk hand-off from a CSV against a template', () => {
  let t: TestApp;
  let a: Session;
  let b: Session;
  let admin: Session;
  let assistant: Session;
  let tpl: TemplateView;

  beforeAll(async () => {
    t = await startTestApp();
    a = await registerClient(t.http);
    b = await registerClient(t.http);
    admin = await loginAdmin(t.http, t.config);
    assistant = await registerAssistant(t.http, ['data_entry']);
    const res = await t.http.post<TemplateView>('/api/templates', templateBody(), { token: a.token });
    expect(res.status).toBe(201);
    tpl = res.body;
  });
  afterAll(() => t.close());

  const done = (s: Session, id: string) =>
    eventually(
      () => t.http.get<ImportView>(`/api/imports/${id}`, { token: s.token }),
      (r) => r.body.status === 'done' || r.body.status === 'failed',
      60_000,
    ).then((r) => r.body);

  const tasksOf = async (importId: string) =>
    (await t.db.query<{ task_id: string; row_number: number }>(`SELECT task_id, row_number FROM import_rows WHERE import_id = $1 AND task_id IS NOT NULL ORDER BY row_number`, [importId])).rows;

  it('previews a file with mixed rows: counts, each row with its errors, nothing created', async () => {
    const before = Number((await t.db.query(`SELECT count(*) FROM tasks`)).rows[0].count);
    const res = await uploadFile(t, a, tpl.id, MIXED);
    expect(res.status).toBe(201);
    const im = res.body;
    expect(im).toMatchObject({ status: 'preview', templateId: tpl.id, templateVersion: 1, total: 6, valid: 2, rejected: 4, created: 0, columns: ['folder', 'count', 'ledger', 'title', 'priority'] });
    expect(im.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(im.rows.map((r) => [r.rowNumber, r.errors])).toEqual([
      [2, []],
      [3, [{ column: 'count', message: 'must be a number' }]],
      [4, [{ column: 'folder', message: 'is required' }]],
      [5, [{ column: 'ledger', message: 'must be one of Xero, QuickBooks' }]],
      [7, []],
      [8, [{ column: 'count', message: 'must be at most 500' }]],
    ]);
    expect(im.rows[0]!.values).toEqual({ folder: 'https://files.example/a', count: '12', ledger: 'Xero', title: '', priority: '' });
    expect(Number((await t.db.query(`SELECT count(*) FROM tasks`)).rows[0].count)).toBe(before);
  });

  it('confirm creates exactly the valid rows’ tasks, priced and pinned as a templated submit; re-uploading and re-confirming create nothing new', async () => {
    const first = (await uploadFile(t, a, tpl.id, MIXED)).body;
    const confirmed = await t.http.post<ImportView>(`/api/imports/${first.id}/confirm`, undefined, { token: a.token });
    expect(confirmed.status).toBe(202);
    expect(['running', 'done']).toContain(confirmed.body.status);
    const finished = await done(a, first.id);
    expect(finished).toMatchObject({ status: 'done', total: 6, valid: 2, rejected: 4, created: 2 });
    expect(finished.finishedAt).not.toBeNull();
    const made = await tasksOf(first.id);
    expect(made.map((r) => r.row_number)).toEqual([2, 7]);
    const tasks = (
      await t.db.query(`SELECT id, title, priority, organization_id, template_version_id, inputs, checklist_total, price_cents, status FROM tasks WHERE id = ANY($1::uuid[]) ORDER BY title`, [
        made.map((r) => r.task_id),
      ])
    ).rows;
    expect(tasks.map((x) => [x.title, x.priority, x.status, x.checklist_total])).toEqual([
      ['Enter invoices', 'normal', 'queued', 1],
      ['Own title', 'low', 'queued', 1],
    ]);
    expect(tasks.every((x) => x.organization_id === a.user.organizationId && x.template_version_id === tpl.versionId && x.price_cents > 0)).toBe(true);
    expect(tasks.find((x) => x.title === 'Own title')!.inputs).toEqual({ folder: 'https://files.example/d', count: 5, ledger: 'QuickBooks' });

    // The same bytes again: the same import, nothing created.
    const again = await uploadFile(t, a, tpl.id, MIXED);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.id, status: 'done', created: 2 });
    const reconfirm = await t.http.post<ImportView>(`/api/imports/${first.id}/confirm`, undefined, { token: a.token });
    expect(reconfirm.body).toMatchObject({ status: 'done', created: 2 });
    expect((await tasksOf(first.id)).length).toBe(2);
    // The same rows as JSON are other bytes, so another import; another organization's upload is its own too.
    const other = await uploadFile(t, b, tpl.id, MIXED);
    expect(other.status).toBe(400);
  });

  it('two concurrent confirms, and two runs side by side, create each task once', async () => {
    const rows = Array.from({ length: 1_200 }, (_, i) => ({ folder: `https://files.example/c${i}`, count: (i % 500) + 1 }));
    const up = await t.http.post<ImportView>('/api/imports', { templateId: tpl.id, rows }, { token: a.token });
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ total: 1_200, valid: 1_200, rejected: 0 });
    const [x, y] = await Promise.all([
      t.http.post<ImportView>(`/api/imports/${up.body.id}/confirm`, undefined, { token: a.token }),
      t.http.post<ImportView>(`/api/imports/${up.body.id}/confirm`, undefined, { token: a.token }),
    ]);
    expect([x.status, y.status]).toEqual([202, 202]);
    const { ImportRunner } = await import('../src/imports/import-runner.js');
    const runner = t.app.get(ImportRunner);
    // Two more runs racing the worker's: rows are locked and skipped, never submitted twice.
    await Promise.all([runner.run(up.body.id), runner.run(up.body.id)]);
    const finished = await done(a, up.body.id);
    expect(finished).toMatchObject({ status: 'done', created: 1_200 });
    const made = await tasksOf(up.body.id);
    expect(made.length).toBe(1_200);
    expect(new Set(made.map((r) => r.task_id)).size).toBe(1_200);
    const fromTemplate = await t.db.query(`SELECT count(*)::int AS n FROM tasks WHERE id = ANY($1::uuid[])`, [made.map((r) => r.task_id)]);
    expect(fromTemplate.rows[0].n).toBe(1_200);
  });

  it('a run cut off mid-way keeps the chunks it committed and the next run creates only the rest', async () => {
    const rows = Array.from({ length: 1_100 }, (_, i) => ({ folder: `https://files.example/cut${i}` }));
    const up = await t.http.post<ImportView>('/api/imports', { templateId: tpl.id, rows }, { token: a.token });
    // Running, but with no job: the runner here is the only one.
    await t.db.query(`UPDATE imports SET status = 'running', confirmed_at = now() WHERE id = $1`, [up.body.id]);
    // The second chunk's row update fails, as a connection cut there would.
    await t.db.query(`
      CREATE FUNCTION cut_import() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.row_number > 600 AND NEW.task_id IS NOT NULL THEN RAISE EXCEPTION 'cut'; END IF; RETURN NEW; END $$`);
    await t.db.query(`CREATE TRIGGER cut_import BEFORE UPDATE ON import_rows FOR EACH ROW WHEN (NEW.import_id = '${up.body.id}') EXECUTE FUNCTION cut_import()`);
    const { ImportRunner } = await import('../src/imports/import-runner.js');
    const runner = t.app.get(ImportRunner);
    try {
      await expect(runner.run(up.body.id)).rejects.toThrow('cut');
    } finally {
      await t.db.query(`DROP TRIGGER cut_import ON import_rows; DROP FUNCTION cut_import()`);
    }
    const cut = (await t.http.get<ImportView>(`/api/imports/${up.body.id}`, { token: a.token })).body;
    expect(cut).toMatchObject({ status: 'running', created: 500 });
    expect((await tasksOf(up.body.id)).length).toBe(500);
    expect(await runner.run(up.body.id)).toEqual({ created: 600, status: 'done' });
    const made = await tasksOf(up.body.id);
    expect(made.length).toBe(1_100);
    expect(new Set(made.map((r) => r.task_id)).size).toBe(1_100);
    // No task without its row: the failed chunk's submissions rolled back with it.
    const orphans = await t.db.query(
      `SELECT count(*)::int AS n FROM tasks t WHERE t.template_version_id = $1 AND t.created_at >= $2 AND NOT EXISTS (SELECT 1 FROM import_rows r WHERE r.task_id = t.id)`,
      [tpl.versionId, up.body.createdAt],
    );
    expect(orphans.rows[0].n).toBe(0);
  });

  it('a 10,000-row import completes', async () => {
    const lines = ['folder,count,ledger'];
    for (let i = 0; i < 10_000; i++) lines.push(i % 1_000 === 999 ? `,${i},Xero` : `https://files.example/big/${i},${(i % 500) + 1},${i % 2 ? 'Xero' : 'QuickBooks'}`);
    const up = await uploadFile(t, a, tpl.id, lines.join('\n'));
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ total: 10_000, valid: 9_990, rejected: 10 });
    expect(up.body.rows.length).toBe(50);
    expect((await t.http.post(`/api/imports/${up.body.id}/confirm`, undefined, { token: a.token })).status).toBe(202);
    const finished = await eventually(
      () => t.http.get<ImportView>(`/api/imports/${up.body.id}`, { token: a.token }),
      (r) => r.body.status !== 'running',
      110_000,
      250,
    );
    expect(finished.body).toMatchObject({ status: 'done', created: 9_990 });
    expect((await tasksOf(up.body.id)).length).toBe(9_990);
  }, 240_000);

  it('progress reaches the organization’s sockets and no one else’s', async () => {
    const sa = await LiveClient.connect(t.url, a.token);
    const sb = await LiveClient.connect(t.url, b.token);
    const sx = await LiveClient.connect(t.url, assistant.token);
    try {
      const rows = Array.from({ length: 1_100 }, (_, i) => ({ folder: `https://files.example/live${i}` }));
      const up = await t.http.post<ImportView>('/api/imports', { templateId: tpl.id, rows }, { token: a.token });
      await t.http.post(`/api/imports/${up.body.id}/confirm`, undefined, { token: a.token });
      await done(a, up.body.id);
      const progress = await eventually(
        async () => sa.received.filter((r) => r.event === 'import.progress' && r.payload.importId === up.body.id).map((r) => r.payload),
        (p) => p.some((e) => e.status === 'done'),
      );
      const last = progress.at(-1);
      expect(last).toMatchObject({ importId: up.body.id, templateId: tpl.id, status: 'done', total: 1_100, valid: 1_100, created: 1_100, rejected: 0, error: null });
      // Counts only go up as the chunks commit.
      const counts = progress.map((p) => p.created);
      expect([...counts].sort((m, n) => m - n)).toEqual(counts);
      expect(sb.received.filter((r) => r.event === 'import.progress')).toEqual([]);
      expect(sx.received.filter((r) => r.event === 'import.progress')).toEqual([]);
    } finally {
      sa.close();
      sb.close();
      sx.close();
    }
  });

  it('the report lists the rejected rows as CSV, with formulas defused', async () => {
    const im = (await uploadFile(t, a, tpl.id, MIXED)).body;
    const res = await t.http.get(`/api/imports/${im.id}/report`, { token: a.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toContain('attachment');
    expect(res.text.split('\r\n')).toEqual([
      'row,folder,count,ledger,title,priority,errors',
      '3,https://files.example/b,zero,Xero,,,count must be a number',
      '4,,3,QuickBooks,,high,folder is required',
      '5,https://files.example/c,4,Sage,Custom title,urgent,"ledger must be one of Xero, QuickBooks"',
      `8,"'=HYPERLINK(""http://evil"")",600,Xero,,,count must be at most 500`,
      '',
    ]);
    const admins = await t.http.get(`/api/imports/${im.id}/report`, { token: admin.token });
    expect(admins.status).toBe(200);
    expect(admins.text).toBe(res.text);
  });

  it('checks task columns per row: title, priority and deadline as a submission does', async () => {
    const csv = ['folder,title,priority,deadline', `x,,urgent,${inDays(2)}`, 'y,,sometimes,', `z,,,${inDays(-1)}`, `w,${'t'.repeat(201)},,`].join('\n');
    const im = (await uploadFile(t, a, tpl.id, csv)).body;
    expect(im.rows.map((r) => r.errors.map((e) => e.column))).toEqual([[], ['priority'], ['deadline'], ['title']]);
  });

  describe('who may, and what is refused', () => {
    let im: ImportView;
    beforeAll(async () => {
      im = (await uploadFile(t, a, tpl.id, 'folder\nfirst\nsecond')).body;
    });

    it.each([
      ['GET', ''],
      ['POST', '/confirm'],
      ['GET', '/report'],
    ])('%s /api/imports/:id%s: another organization gets 404, an assistant 403', async (method, tail) => {
      expect((await t.http.request(method, `/api/imports/${im.id}${tail}`, undefined, { token: b.token })).status).toBe(404);
      expect((await t.http.request(method, `/api/imports/${NO_ID}${tail}`, undefined, { token: a.token })).status).toBe(404);
      expect((await t.http.request(method, `/api/imports/${im.id}${tail}`, undefined, { token: assistant.token })).status).toBe(403);
    });

    it('admins read any organization’s import but do not upload or confirm', async () => {
      expect((await t.http.get(`/api/imports/${im.id}`, { token: admin.token })).status).toBe(200);
      expect((await t.http.post(`/api/imports/${im.id}/confirm`, undefined, { token: admin.token })).status).toBe(403);
      expect((await t.http.post('/api/imports', { templateId: tpl.id, csv: 'folder\nx' }, { token: admin.token })).status).toBe(403);
      expect((await uploadFile(t, assistant, tpl.id, 'folder\nx')).status).toBe(403);
    });

    it.each([
      ['no header', '', /csv must not be empty/],
      ['a blank header', 'folder,\nx,y', /file column 2 has no name/],
      ['an unknown column', 'folder,colour\nx,red', /file column "colour" is not an input of this template/],
      ['a column twice', 'folder,folder\nx,y', /file column "folder" appears twice/],
      ['no data rows', 'folder\n', /file has no data rows/],
      ['a broken quote', 'folder\n"x,y\n', /file is not valid CSV/],
    ])('400 for %s', async (_name, csv, message) => {
      const res = await t.http.post('/api/imports', { templateId: tpl.id, csv }, { token: a.token });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(message);
    });

    it('400 for a file with more than 10,000 rows, no file, a bad or foreign template, and neither csv nor rows', async () => {
      const big = await uploadFile(t, a, tpl.id, ['folder', ...Array.from({ length: 10_001 }, (_, i) => `r${i}`)].join('\n'));
      expect([big.status, big.body.message]).toEqual([400, 'file has more than 10000 rows']);
      const foreign = await t.http.post('/api/imports', { templateId: tpl.id, csv: 'folder\nx' }, { token: b.token });
      expect([foreign.status, foreign.body.message]).toEqual([400, 'templateId is not a template you can use']);
      const missing = await t.http.post('/api/imports', { templateId: NO_ID, csv: 'folder\nx' }, { token: a.token });
      expect([missing.status, missing.body.message]).toEqual([400, 'templateId is not a template you can use']);
      const badId = await t.http.post('/api/imports', { templateId: 'nope', csv: 'folder\nx' }, { token: a.token });
      expect([badId.status, badId.body.message]).toEqual([400, 'templateId must be a UUID']);
      const neither = await t.http.post('/api/imports', { templateId: tpl.id }, { token: a.token });
      expect([neither.status, neither.body.message]).toEqual([400, 'csv give either csv or rows']);
      const wrongField = await uploadFile(t, a, tpl.id, 'folder\nx', 'attachment');
      expect(wrongField.status).toBe(400);
      expect(wrongField.body.message).toMatch(/attachment is not allowed/);
      const form = new FormData();
      form.append('templateId', 'nope');
      form.append('file', new Blob(['folder\nx']), 'rows.csv');
      const badField = await fetch(`${t.url}/api/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${a.token}` } });
      expect(badField.status).toBe(400);
      expect(((await badField.json()) as { message: string }).message).toBe('templateId must be a UUID');
    });

    it('413 for a file over 16 MiB, 400 for a form without templateId or without a file', async () => {
      const huge = await uploadFile(t, a, tpl.id, Buffer.alloc(16 * 1024 * 1024 + 1, 'a'));
      expect([huge.status, huge.body.message]).toEqual([413, 'file is larger than 16777216 bytes']);
      const noId = new FormData();
      noId.append('file', new Blob(['folder\nx']), 'rows.csv');
      const res = await fetch(`${t.url}/api/imports`, { method: 'POST', body: noId, headers: { authorization: `Bearer ${a.token}` } });
      expect([res.status, ((await res.json()) as { message: string }).message]).toEqual([400, 'templateId is required']);
      const noFile = new FormData();
      noFile.append('templateId', tpl.id);
      const none = await fetch(`${t.url}/api/imports`, { method: 'POST', body: noFile, headers: { authorization: `Bearer ${a.token}` } });
      expect([none.status, ((await none.json()) as { message: string }).message]).toEqual([400, 'file is required: send the CSV as the form field "file"']);
    });

    it('fails an import whose category has no rate, creating nothing, and says why', async () => {
      const research = await t.http.post<TemplateView>('/api/templates', { ...templateBody(), name: 'Research run', category: 'research' }, { token: a.token });
      const up = await t.http.post<ImportView>('/api/imports', { templateId: research.body.id, csv: 'folder\nx\ny' }, { token: a.token });
      const rate = await t.db.query(`DELETE FROM rate_card WHERE category = 'research' RETURNING *`);
      try {
        await t.http.post(`/api/imports/${up.body.id}/confirm`, undefined, { token: a.token });
        const failed = await done(a, up.body.id);
        expect(failed).toMatchObject({ status: 'failed', created: 0, error: 'there is no rate for research; ask an admin to set one, then upload again' });
        expect(await tasksOf(up.body.id)).toEqual([]);
      } finally {
        const r = rate.rows[0];
        await t.db.query(`INSERT INTO rate_card (category, base_price_cents, currency) VALUES ($1, $2, $3)`, [r.category, r.base_price_cents, r.currency]);
      }
    });

    it('other routes still refuse multipart with 415', async () => {
      const form = new FormData();
      form.append('file', new Blob(['x']), 'x.csv');
      const res = await fetch(`${t.url}/api/tasks`, { method: 'POST', body: form, headers: { authorization: `Bearer ${a.token}` } });
      expect(res.status).toBe(415);
    });
  });
});
