import { CATEGORIES, priceFor, type ErrorBody, type TemplateSummary, type TemplateVersionView, type TemplateView } from '@handoff/contracts';
import { DEFAULT_RATE_CARD } from '../src/database/seed.js';
import { seedStarterTemplates } from '../src/templates/starter-templates.js';
import { createDataSource } from '../src/database/data-source.js';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import type { Res } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const NO_ID = '00000000-0000-4000-8000-000000000000';

/** A template on success, the error body otherwise: tests look at whichever the status says. */
type TemplateOrError = TemplateView & Partial<ErrorBody>;

function templateBody(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Weekly invoice run',
    category: 'data_entry',
    instructions: '# Invoices\n\nEnter **every** invoice. <script>alert(1)</script>',
    checklist: [
      { title: 'Open the folder', detail: 'The shared one.' },
      { title: 'Enter each invoice' },
      { title: 'Flag duplicates', required: false },
    ],
    inputs: [
      { key: 'folder', label: 'Folder link', type: 'text', required: true, maxLength: 200 },
      { key: 'count', label: 'Invoices', type: 'number', integer: true, min: 1, max: 500 },
      { key: 'due', label: 'Due', type: 'date' },
      { key: 'ledger', label: 'Ledger', type: 'choice', options: ['Xero', 'QuickBooks'] },
    ],
    deadlineRule: { kind: 'business_hours', hours: 2 },
    ...overrides,
  };
}

describe('templates: the process library', () => {
  let t: TestApp;
  let admin: Session;
  let a: Session;
  let b: Session;
  let assistant: Session;
  let tpl: TemplateView;

  const create = (s: Session, body: unknown = templateBody()) => t.http.post<TemplateOrError>('/api/templates', body, { token: s.token });
  const get = (s: Session, id: string) => t.http.get<TemplateView>(`/api/templates/${id}`, { token: s.token });
  const edit = (s: Session, id: string, body: unknown) => t.http.patch<TemplateOrError>(`/api/templates/${id}`, body, { token: s.token });
  const list = (s: Session, qs = '') => t.http.get<{ items: TemplateSummary[]; nextCursor: string | null }>(`/api/templates${qs}`, { token: s.token });
  const ok = <T>(res: Res<T>, status = 200): T => {
    expect({ status: res.status, body: res.status === status ? 'ok' : res.body }).toEqual({ status, body: 'ok' });
    return res.body;
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http, t.config);
    a = await registerClient(t.http);
    b = await registerClient(t.http);
    assistant = await registerAssistant(t.http, ['data_entry', 'bookkeeping']);
    tpl = ok(await create(a), 201);
  });
  afterAll(() => t.close());

  describe('starters', () => {
    it('every organization sees one starter per category, among them Month-end bookkeeping', async () => {
      for (const s of [a, b]) {
        const starters = ok(await list(s, '?scope=starter&limit=200')).items;
        expect(starters.map((x) => x.category).sort()).toEqual([...CATEGORIES].sort());
        expect(starters.every((x) => x.starter && x.organizationId === null && x.version === 1 && x.archivedAt === null)).toBe(true);
        const bookkeeping = starters.find((x) => x.category === 'bookkeeping')!;
        expect(bookkeeping.name).toBe('Month-end bookkeeping');
        const full = ok(await get(s, bookkeeping.id));
        expect(full.current.checklist.length).toBeGreaterThanOrEqual(4);
        expect(full.current.inputs.map((f) => f.key)).toContain('period_end');
      }
    });

    it('seeding again adds none, even twice at once', async () => {
      const ds = createDataSource(t.config);
      await ds.initialize();
      try {
        expect(await Promise.all([seedStarterTemplates(ds), seedStarterTemplates(ds)])).toEqual([0, 0]);
      } finally {
        await ds.destroy();
      }
      const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM templates WHERE organization_id IS NULL`);
      expect(rows[0].n).toBe(CATEGORIES.length);
    });

    it('admins publish starters, one active per category; clients may not change them', async () => {
      const starters = ok(await list(admin, '?scope=starter&category=research')).items;
      expect(starters).toHaveLength(1);
      const clash = await create(admin, templateBody({ category: 'research', name: 'Another research starter' }));
      expect(clash.status).toBe(409);
      expect(clash.body.message).toMatch(/starter template for research exists already/);
      expect(ok(await t.http.post(`/api/templates/${starters[0]!.id}/archive`, undefined, { token: admin.token })).archivedAt).not.toBeNull();
      const fresh = ok(await create(admin, templateBody({ category: 'research', name: 'Research starter, new' })), 201);
      expect(fresh.starter).toBe(true);
      // Nor may a starter move into a category that has an active one.
      const moved = await edit(admin, fresh.id, { category: 'bookkeeping' });
      expect([moved.status, moved.body.message]).toEqual([409, 'an active starter template for bookkeeping exists already; archive it first']);
      expect(ok(await edit(admin, fresh.id, { name: 'Research starter, renamed' })).version).toBe(2);
      // The old one cannot come back while the new one is active.
      const back = await t.http.post(`/api/templates/${starters[0]!.id}/unarchive`, undefined, { token: admin.token });
      expect(back.status).toBe(409);
      // Every organization sees the new one.
      expect(ok(await list(b, '?scope=starter&category=research')).items.map((x) => x.id)).toEqual([fresh.id]);
      expect((await edit(a, fresh.id, { name: 'Mine now' })).status).toBe(403);
      expect((await t.http.post(`/api/templates/${fresh.id}/archive`, undefined, { token: a.token })).status).toBe(403);
      // An admin reads an organization's template but does not change it.
      expect(ok(await get(admin, tpl.id)).id).toBe(tpl.id);
      expect((await edit(admin, tpl.id, { name: 'Admin was here' })).status).toBe(403);
    });
  });

  describe('create, read, list', () => {
    it('stores what was written: instructions as given, steps with ids, fields with their defaults', async () => {
      expect(tpl).toMatchObject({ organizationId: a.user.organizationId, starter: false, version: 1, stepCount: 3, inputCount: 4, defaultPriority: 'normal', archivedAt: null });
      expect(tpl.current.instructions).toBe(templateBody().instructions);
      expect(tpl.current.checklist.map((s) => [s.title, s.detail, s.required])).toEqual([
        ['Open the folder', 'The shared one.', true],
        ['Enter each invoice', null, true],
        ['Flag duplicates', null, false],
      ]);
      expect(new Set(tpl.current.checklist.map((s) => s.id)).size).toBe(3);
      expect(tpl.current.inputs[0]).toEqual({ key: 'folder', label: 'Folder link', type: 'text', required: true, maxLength: 200 });
      expect(tpl.current.inputs[1]).toMatchObject({ key: 'count', required: false, integer: true });
      expect(tpl.versionId).toBe(tpl.current.id);
      expect(ok(await get(a, tpl.id))).toEqual(tpl);
    });

    it('lists the organization’s own and the starters; another organization sees neither of the other’s', async () => {
      const mine = ok(await list(a, '?scope=organization')).items;
      expect(mine.map((x) => x.id)).toEqual([tpl.id]);
      const all = ok(await list(a, '?limit=200')).items;
      expect(all.map((x) => x.id)).toContain(tpl.id);
      expect(all.every((x) => x.organizationId === null || x.organizationId === a.user.organizationId)).toBe(true);
      expect(ok(await list(b, '?scope=organization')).items).toEqual([]);
      expect(ok(await list(b, '?limit=200')).items.map((x) => x.id)).not.toContain(tpl.id);
      // Admins list every organization's.
      expect(ok(await list(admin, '?scope=organization&limit=200')).items.map((x) => x.id)).toContain(tpl.id);
    });

    it('pages with a cursor, each template once', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: TemplateSummary[]; nextCursor: string | null } = ok(await list(a, `?limit=3${cursor ? `&cursor=${cursor}` : ''}`));
        seen.push(...page.items.map((x) => x.id));
        cursor = page.nextCursor;
      } while (cursor);
      const all = ok(await list(a, '?limit=200')).items.map((x) => x.id);
      expect(seen).toEqual(all);
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('creates once per Idempotency-Key: a retry replays the first answer, another body with the key is a 422', async () => {
      const body = templateBody({ name: 'Idempotent' });
      const headers = { 'idempotency-key': 'tpl-create-1' };
      const first = await t.http.post<TemplateView>('/api/templates', body, { token: a.token, headers });
      const again = await t.http.post<TemplateView>('/api/templates', body, { token: a.token, headers });
      expect([first.status, again.status, again.headers.get('idempotent-replayed')]).toEqual([201, 201, 'true']);
      expect(again.body).toEqual(first.body);
      const other = await t.http.post('/api/templates', templateBody({ name: 'Other' }), { token: a.token, headers });
      expect(other.status).toBe(422);
      const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM templates WHERE name = 'Idempotent'`);
      expect(rows[0].n).toBe(1);
      const badKey = await t.http.post('/api/templates', body, { token: a.token, headers: { 'idempotency-key': 'no spaces' } });
      expect([badKey.status, badKey.body.message]).toEqual([400, 'Idempotency-Key must be 1-200 letters, digits or . _ : -']);
    });

    it('filters by category', async () => {
      const items = ok(await list(a, '?category=data_entry')).items;
      expect(items.length).toBeGreaterThanOrEqual(2);
      expect(items.every((x) => x.category === 'data_entry')).toBe(true);
    });
  });

  describe('versions', () => {
    it('an edit is a new version; the old one stays exactly as it was, in the database too', async () => {
      const own = ok(await create(a, templateBody({ name: 'Versioned' })), 201);
      const v1 = own.current;
      const [open, enter] = v1.checklist;
      const v2 = ok(
        await edit(a, own.id, {
          name: 'Versioned, second',
          checklist: [{ id: enter!.id, title: 'Enter each invoice, twice' }, { title: 'New last step' }, { id: open!.id, title: open!.title, detail: open!.detail }],
          deadlineRule: { kind: 'by_time', time: '17:00', day: 'same_or_next_business_day' },
          baseVersion: 1,
        }),
      );
      expect(v2).toMatchObject({ id: own.id, version: 2, name: 'Versioned, second', stepCount: 3 });
      expect(v2.versionId).not.toBe(v1.id);
      // Step ids follow their steps; the new step has a new id; what was not given carried over.
      expect(v2.current.checklist.map((s) => s.id)).toEqual([enter!.id, expect.any(String), open!.id]);
      expect(v1.checklist.map((s) => s.id)).not.toContain(v2.current.checklist[1]!.id);
      expect(v2.current.instructions).toBe(v1.instructions);
      expect(v2.current.inputs).toEqual(v1.inputs);
      expect(v2.current.checklist[0]).toEqual({ id: enter!.id, title: 'Enter each invoice, twice', detail: null, required: true });

      const v3 = ok(await edit(a, own.id, { instructions: 'Third.', defaultPriority: 'urgent' }));
      expect(v3.version).toBe(3);
      expect(v3.current.checklist).toEqual(v2.current.checklist);

      // Version 1 reads back as it was made.
      expect(ok(await t.http.get<TemplateVersionView>(`/api/templates/${own.id}/versions/${v1.id}`, { token: a.token }))).toEqual(v1);
      const versions = ok(await t.http.get<{ items: TemplateVersionView[] }>(`/api/templates/${own.id}/versions`, { token: a.token })).items;
      expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
      expect(versions[2]).toEqual(v1);
      expect(versions[1]).toEqual(v2.current);

      // Newest first, one page at a time.
      const p1 = ok(await t.http.get(`/api/templates/${own.id}/versions?limit=2`, { token: a.token }));
      expect(p1.items.map((v: TemplateVersionView) => v.version)).toEqual([3, 2]);
      const p2 = ok(await t.http.get(`/api/templates/${own.id}/versions?limit=2&cursor=${p1.nextCursor}`, { token: a.token }));
      expect([p2.items.map((v: TemplateVersionView) => v.version), p2.nextCursor]).toEqual([[1], null]);

      // Not even the database changes a version.
      for (const sql of [`UPDATE template_versions SET name = 'x' WHERE id = $1`, `DELETE FROM template_versions WHERE id = $1`]) {
        await expect(t.db.query(sql, [v1.id])).rejects.toThrow(/template versions are immutable/);
      }
      await expect(t.db.query(`TRUNCATE template_versions CASCADE`)).rejects.toThrow(/template versions are immutable/);
      const { rows } = await t.db.query(`SELECT name, checklist FROM template_versions WHERE id = $1`, [v1.id]);
      expect(rows[0]).toEqual({ name: 'Versioned', checklist: v1.checklist });
    });

    it('refuses an edit made on an older version (409 with the current one) and a step id of no step', async () => {
      const own = ok(await create(a, templateBody({ name: 'Racy' })), 201);
      ok(await edit(a, own.id, { name: 'Racy 2', baseVersion: 1 }));
      const stale = await edit(a, own.id, { name: 'Racy lost', baseVersion: 1 });
      expect([stale.status, stale.body.version, stale.body.status]).toEqual([409, 2, 'active']);
      const foreign = await edit(a, own.id, { checklist: [{ id: NO_ID, title: 'Who am I' }] });
      expect([foreign.status, foreign.body.message]).toEqual([400, 'checklist.0.id is not a step of version 2; leave it out for a new step']);
      const onCreate = await create(a, templateBody({ checklist: [{ id: NO_ID, title: 'Who am I' }] }));
      expect([onCreate.status, onCreate.body.message]).toEqual([400, 'checklist.0.id is not a step of this template; leave it out for a new step']);
      expect(ok(await get(a, own.id)).version).toBe(2);
    });

    it('makes one version per edit when edits race', async () => {
      const own = ok(await create(a, templateBody({ name: 'Raced' })), 201);
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => edit(a, own.id, { name: `Raced ${i}` })));
      expect(answers.map((r) => r.status)).toEqual(Array(6).fill(200));
      expect(answers.map((r) => r.body.version).sort()).toEqual([2, 3, 4, 5, 6, 7]);
      const versions = ok(await t.http.get(`/api/templates/${own.id}/versions`, { token: a.token })).items as TemplateVersionView[];
      expect(versions.map((v) => v.version)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    });
  });

  describe('archive', () => {
    it('hides it from the library and from new work; its versions stay readable', async () => {
      const own = ok(await create(a, templateBody({ name: 'To archive' })), 201);
      const archived = ok(await t.http.post<TemplateView>(`/api/templates/${own.id}/archive`, undefined, { token: a.token }));
      expect(archived.archivedAt).not.toBeNull();
      expect(archived.current).toEqual(own.current);
      expect(ok(await list(a, '?limit=200')).items.map((x) => x.id)).not.toContain(own.id);
      expect(ok(await list(a, '?scope=organization&archived=only&limit=200')).items.map((x) => x.id)).toEqual([own.id]);
      expect(ok(await list(a, '?archived=include&limit=200')).items.map((x) => x.id)).toContain(own.id);
      expect(ok(await get(a, own.id)).archivedAt).toBe(archived.archivedAt);
      expect(ok(await t.http.get(`/api/templates/${own.id}/versions/${own.versionId}`, { token: a.token }))).toEqual(own.current);

      const again = await t.http.post(`/api/templates/${own.id}/archive`, undefined, { token: a.token });
      expect([again.status, again.body.status]).toEqual([409, 'archived']);
      const edited = await edit(a, own.id, { name: 'Nope' });
      expect([edited.status, edited.body.status]).toEqual([409, 'archived']);
      const preview = await t.http.post(`/api/templates/${own.id}/preview`, { inputs: { folder: 'x' } }, { token: a.token });
      expect([preview.status, preview.body.status]).toEqual([409, 'archived']);

      const back = ok(await t.http.post<TemplateView>(`/api/templates/${own.id}/unarchive`, undefined, { token: a.token }));
      expect(back.archivedAt).toBeNull();
      const twice = await t.http.post(`/api/templates/${own.id}/unarchive`, undefined, { token: a.token });
      expect([twice.status, twice.body.status]).toEqual([409, 'active']);
    });
  });

  describe('preview', () => {
    it('answers the price and the deadline in the organization’s hours and zone, and creates nothing', async () => {
      // A Friday a week or more ahead, and the Monday after it a holiday in Berlin.
      const friday = new Date(Date.now() + 7 * 86_400_000);
      friday.setUTCDate(friday.getUTCDate() + ((5 - friday.getUTCDay() + 7) % 7));
      const date = (d: Date) => d.toISOString().slice(0, 10);
      const day = date(friday);
      const monday = date(new Date(friday.getTime() + 3 * 86_400_000));
      const tuesday = date(new Date(friday.getTime() + 4 * 86_400_000));
      const patched = await t.http.patch(`/api/organizations/${a.user.organizationId}/settings`, { timeZone: 'Europe/Berlin', holidays: [monday] }, { token: a.token });
      expect(patched.status).toBe(200);
      const before = (await t.db.query(`SELECT (SELECT count(*) FROM tasks)::int AS tasks, (SELECT count(*) FROM template_versions)::int AS versions`)).rows[0];
      const berlinOffset = (iso: string) => (new Date(`${iso}T12:00:00Z`).toLocaleString('en-US', { timeZone: 'Europe/Berlin', timeZoneName: 'shortOffset' }).endsWith('GMT+2') ? 2 : 1);
      const submittedAt = `${day}T16:00:00+0${berlinOffset(day)}:00`;
      // Friday 16:00 in Berlin + 2 business hours (09–17, Monday a holiday): Tuesday 10:00 in Berlin.
      const res = ok(await t.http.post(`/api/templates/${tpl.id}/preview`, { inputs: { folder: ' https://files.example/x ', count: '12' }, priority: 'high', submittedAt }, { token: a.token }));
      expect(res).toEqual({
        templateId: tpl.id,
        versionId: tpl.versionId,
        version: 1,
        category: 'data_entry',
        priority: 'high',
        priceCents: priceFor(DEFAULT_RATE_CARD.data_entry, 'high'),
        currency: 'USD',
        submittedAt: new Date(submittedAt).toISOString(),
        deadline: new Date(Date.parse(`${tuesday}T10:00:00Z`) - berlinOffset(tuesday) * 3_600_000).toISOString(),
        timeZone: 'Europe/Berlin',
        inputs: { folder: 'https://files.example/x', count: 12 },
        budget: null,
        templateBudget: null,
      });
      // The template's default priority when none is given.
      expect(ok(await t.http.post(`/api/templates/${tpl.id}/preview`, { inputs: { folder: 'x' } }, { token: a.token })).priority).toBe('normal');
      const after = (await t.db.query(`SELECT (SELECT count(*) FROM tasks)::int AS tasks, (SELECT count(*) FROM template_versions)::int AS versions`)).rows[0];
      expect(after).toEqual(before);
    });

    it('previews an older version by its id, with that version’s fields and rule', async () => {
      const own = ok(await create(a, templateBody({ name: 'Old and new', inputs: [] })), 201);
      ok(await edit(a, own.id, { inputs: [{ key: 'ref', label: 'Ref', type: 'text', required: true }], deadlineRule: { kind: 'calendar_hours', hours: 1 } }));
      const now = new Date().toISOString();
      const old = ok(await t.http.post(`/api/templates/${own.id}/preview`, { versionId: own.versionId, submittedAt: now }, { token: a.token }));
      expect([old.version, old.inputs]).toEqual([1, {}]);
      const current = await t.http.post(`/api/templates/${own.id}/preview`, { submittedAt: now }, { token: a.token });
      expect([current.status, current.body.message]).toEqual([400, 'inputs.ref is required']);
      const fresh = ok(await t.http.post(`/api/templates/${own.id}/preview`, { submittedAt: now, inputs: { ref: 'A-1' } }, { token: a.token }));
      expect(fresh.deadline).toBe(new Date(Date.parse(now) + 3_600_000).toISOString());
      const foreign = await t.http.post(`/api/templates/${own.id}/preview`, { versionId: tpl.versionId }, { token: a.token });
      expect(foreign.status).toBe(404);
    });

    it('previews a starter in the caller’s own hours', async () => {
      const starter = ok(await list(b, '?scope=starter&category=bookkeeping')).items[0]!;
      const res = ok(await t.http.post(`/api/templates/${starter.id}/preview`, { inputs: { period_end: '2026-01-31', ledger: 'Xero' } }, { token: b.token }));
      expect(res).toMatchObject({ templateId: starter.id, category: 'bookkeeping', priority: 'high', timeZone: 'UTC', priceCents: priceFor(DEFAULT_RATE_CARD.bookkeeping, 'high') });
    });
  });

  describe('who may call', () => {
    // [route, method, path, body]: every template route.
    const routes = (id: string, versionId: string): [string, string, string, unknown][] => [
      ['list', 'GET', '/api/templates', undefined],
      ['create', 'POST', '/api/templates', templateBody()],
      ['get', 'GET', `/api/templates/${id}`, undefined],
      ['edit', 'PATCH', `/api/templates/${id}`, { name: 'Renamed' }],
      ['archive', 'POST', `/api/templates/${id}/archive`, undefined],
      ['unarchive', 'POST', `/api/templates/${id}/unarchive`, undefined],
      ['versions', 'GET', `/api/templates/${id}/versions`, undefined],
      ['version', 'GET', `/api/templates/${id}/versions/${versionId}`, undefined],
      ['preview', 'POST', `/api/templates/${id}/preview`, { inputs: { folder: 'x' } }],
    ];

    it('assistants get 403 on every route, anonymous callers 401', async () => {
      for (const [name, method, path, body] of routes(tpl.id, tpl.versionId)) {
        const res = await t.http.request(method, path, body, { token: assistant.token });
        expect({ name, status: res.status }).toEqual({ name, status: 403 });
        const anon = await t.http.request(method, path, body);
        expect({ name, status: anon.status }).toEqual({ name, status: 401 });
      }
    });

    it('another organization gets 404 on every route that names a template, and changes nothing', async () => {
      const before = ok(await get(a, tpl.id));
      for (const [name, method, path, body] of routes(tpl.id, tpl.versionId).filter(([n]) => n !== 'list' && n !== 'create')) {
        const res = await t.http.request(method, path, body, { token: b.token });
        expect({ name, status: res.status, message: res.body.message }).toEqual({ name, status: 404, message: 'template not found' });
      }
      expect(ok(await get(a, tpl.id))).toEqual(before);
    });

    it('a template that does not exist is 404 for everyone; a version of another template too', async () => {
      for (const [name, method, path, body] of routes(NO_ID, NO_ID).filter(([n]) => n !== 'list' && n !== 'create')) {
        const res = await t.http.request(method, path, body, { token: name === 'preview' ? a.token : admin.token });
        expect({ name, status: res.status }).toEqual({ name, status: 404 });
      }
      const other = ok(await create(a, templateBody({ name: 'Other' })), 201);
      expect((await t.http.get(`/api/templates/${tpl.id}/versions/${other.versionId}`, { token: a.token })).status).toBe(404);
    });

    it('admins may not preview (only clients submit), and get 403 changing an organization’s template', async () => {
      expect((await t.http.post(`/api/templates/${tpl.id}/preview`, { inputs: {} }, { token: admin.token })).status).toBe(403);
      for (const [name, method, path, body] of routes(tpl.id, tpl.versionId).filter(([n]) => ['edit', 'archive', 'unarchive'].includes(n))) {
        const res = await t.http.request(method, path, body, { token: admin.token });
        expect({ name, status: res.status }).toEqual({ name, status: 403 });
      }
    });
  });

  describe('bad input: 400 naming the field, never 500', () => {
    type Case = [name: string, method: string, path: (id: string) => string, body: unknown, message: RegExp];
    const base = templateBody();
    const field = (f: Record<string, unknown>) => templateBody({ inputs: [{ key: 'k', label: 'K', type: 'text', ...f }] });
    const cases: Case[] = [
      ['list: unknown scope', 'GET', () => '/api/templates?scope=mine', undefined, /^scope must be one of all, organization, starter$/],
      ['list: unknown archived', 'GET', () => '/api/templates?archived=yes', undefined, /^archived must be one of exclude, only, include$/],
      ['list: unknown category', 'GET', () => '/api/templates?category=juggling', undefined, /^category must be one of/],
      ['list: limit too high', 'GET', () => '/api/templates?limit=201', undefined, /^limit must be at most 200$/],
      ['list: bad cursor', 'GET', () => '/api/templates?cursor=garbage', undefined, /^cursor is invalid$/],
      ['create: body is an array', 'POST', () => '/api/templates', [1], /^body must be a JSON object$/],
      ['create: missing name', 'POST', () => '/api/templates', { ...base, name: undefined }, /^name is required$/],
      ['create: empty name', 'POST', () => '/api/templates', { ...base, name: '  ' }, /^name must not be empty$/],
      ['create: name too long', 'POST', () => '/api/templates', { ...base, name: 'x'.repeat(201) }, /^name must be at most 200 characters$/],
      ['create: unknown category', 'POST', () => '/api/templates', { ...base, category: 'juggling' }, /^category must be one of/],
      ['create: unknown priority', 'POST', () => '/api/templates', { ...base, defaultPriority: 'asap' }, /^defaultPriority must be one of low, normal, high, urgent$/],
      ['create: instructions too long', 'POST', () => '/api/templates', { ...base, instructions: 'x'.repeat(20_001) }, /^instructions must be at most 20000 characters$/],
      ['create: NUL in the instructions', 'POST', () => '/api/templates', { ...base, instructions: 'a\u0000b' }, /^instructions must not contain the NUL character/],
      ['create: missing deadline rule', 'POST', () => '/api/templates', { ...base, deadlineRule: undefined }, /^deadlineRule/],
      ['create: unknown deadline rule', 'POST', () => '/api/templates', { ...base, deadlineRule: { kind: 'soonish' } }, /^deadlineRule\.kind must be one of business_hours, calendar_hours, by_time$/],
      ['create: zero business hours', 'POST', () => '/api/templates', { ...base, deadlineRule: { kind: 'business_hours', hours: 0 } }, /^deadlineRule\.hours must be more than 0$/],
      ['create: seconds of an hour', 'POST', () => '/api/templates', { ...base, deadlineRule: { kind: 'calendar_hours', hours: 1.001 } }, /^deadlineRule\.hours must be a whole number of minutes/],
      ['create: too many business hours', 'POST', () => '/api/templates', { ...base, deadlineRule: { kind: 'business_hours', hours: 2001 } }, /^deadlineRule\.hours must be at most 2000$/],
      ['create: by a time of no clock', 'POST', () => '/api/templates', { ...base, deadlineRule: { kind: 'by_time', time: '25:00', day: 'next_business_day' } }, /^deadlineRule\.time must be a time HH:MM/],
      ['create: by time on an unknown day', 'POST', () => '/api/templates', { ...base, deadlineRule: { kind: 'by_time', time: '17:00', day: 'someday' } }, /^deadlineRule\.day must be one of/],
      ['create: a step without a title', 'POST', () => '/api/templates', { ...base, checklist: [{ title: 'ok' }, { detail: 'no title' }] }, /^checklist\.1\.title is required$/],
      ['create: a step of the wrong shape', 'POST', () => '/api/templates', { ...base, checklist: ['step'] }, /^checklist\.0 must be a step \{title, detail\?, required\?\}$/],
      ['create: a step with an unknown field', 'POST', () => '/api/templates', { ...base, checklist: [{ title: 'x', done: true }] }, /^checklist\.0\.done is not allowed$/],
      ['create: a step id not a UUID', 'POST', () => '/api/templates', { ...base, checklist: [{ id: 'one', title: 'x' }] }, /^checklist\.0\.id must be a UUID$/],
      ['create: required not a boolean', 'POST', () => '/api/templates', { ...base, checklist: [{ title: 'x', required: 'yes' }] }, /^checklist\.0\.required must be true or false$/],
      ['create: too many steps', 'POST', () => '/api/templates', { ...base, checklist: Array.from({ length: 101 }, (_, i) => ({ title: `s${i}` })) }, /^checklist must have at most 100 steps$/],
      ['create: a field key with spaces', 'POST', () => '/api/templates', field({ key: 'Client Name' }), /^inputs\.0\.key must be 1 to 40 lowercase letters/],
      ['create: an unknown field type', 'POST', () => '/api/templates', field({ type: 'colour' }), /^inputs\.0\.type must be one of text, number, date, choice$/],
      ['create: a field without a label', 'POST', () => '/api/templates', field({ label: undefined }), /^inputs\.0\.label is required$/],
      ['create: a repeated key', 'POST', () => '/api/templates', templateBody({ inputs: [{ key: 'k', label: 'A', type: 'text' }, { key: 'k', label: 'B', type: 'date' }] }), /^inputs\.1\.key repeats k$/],
      ['create: min above max', 'POST', () => '/api/templates', field({ type: 'number', min: 10, max: 1 }), /^inputs\.0\.min must not be more than max \(1\)$/],
      ['create: maxLength 0', 'POST', () => '/api/templates', field({ maxLength: 0 }), /^inputs\.0\.maxLength must be at least 1$/],
      ['create: a number bound past 2^53', 'POST', () => '/api/templates', field({ type: 'number', max: 2 ** 53 + 2 }), /^inputs\.0\.max must be at most 1000000000000$/],
      ['create: a choice with no options', 'POST', () => '/api/templates', field({ type: 'choice', options: [] }), /^inputs\.0\.options must list at least one option$/],
      ['create: a date bound of no calendar', 'POST', () => '/api/templates', field({ type: 'date', min: '2026-02-30' }), /^inputs\.0\.min must be a date YYYY-MM-DD$/],
      ['create: options on a text field', 'POST', () => '/api/templates', field({ options: ['a'] }), /^inputs\.0\.options is not allowed$/],
      ['create: smuggled organizationId', 'POST', () => '/api/templates', { ...base, organizationId: NO_ID }, /^organizationId is not allowed$/],
      ['create: smuggled version', 'POST', () => '/api/templates', { ...base, version: 9 }, /^version is not allowed$/],
      ['get: id not a UUID', 'GET', () => '/api/templates/123', undefined, /^id must be a UUID$/],
      ['edit: empty body', 'PATCH', (id) => `/api/templates/${id}`, {}, /^body must change at least one field$/],
      ['edit: only a base version', 'PATCH', (id) => `/api/templates/${id}`, { baseVersion: 1 }, /^body must change at least one field$/],
      ['edit: base version not an integer', 'PATCH', (id) => `/api/templates/${id}`, { name: 'x', baseVersion: 1.5 }, /^baseVersion must be an integer$/],
      ['edit: null name', 'PATCH', (id) => `/api/templates/${id}`, { name: null }, /^name must be a string$/],
      ['edit: smuggled archivedAt', 'PATCH', (id) => `/api/templates/${id}`, { archivedAt: null }, /^archivedAt is not allowed$/],
      ['edit: id not a UUID', 'PATCH', () => '/api/templates/nope', { name: 'x' }, /^id must be a UUID$/],
      ['archive: id not a UUID', 'POST', () => '/api/templates/nope/archive', undefined, /^id must be a UUID$/],
      ['unarchive: id not a UUID', 'POST', () => '/api/templates/nope/unarchive', undefined, /^id must be a UUID$/],
      ['versions: limit 0', 'GET', (id) => `/api/templates/${id}/versions?limit=0`, undefined, /^limit must be at least 1$/],
      ['versions: bad cursor', 'GET', (id) => `/api/templates/${id}/versions?cursor=djA`, undefined, /^cursor is invalid$/],
      ['versions: id not a UUID', 'GET', () => '/api/templates/x/versions', undefined, /^id must be a UUID$/],
      ['version: version id not a UUID', 'GET', (id) => `/api/templates/${id}/versions/2`, undefined, /^versionId must be a UUID$/],
      ['preview: inputs not an object', 'POST', (id) => `/api/templates/${id}/preview`, { inputs: [1] }, /^inputs must be an object of values by field key$/],
      ['preview: a required input missing', 'POST', (id) => `/api/templates/${id}/preview`, { inputs: {} }, /^inputs\.folder is required$/],
      ['preview: an input of no field', 'POST', (id) => `/api/templates/${id}/preview`, { inputs: { folder: 'x', colour: 'red' } }, /^inputs\.colour is not a field of this template$/],
      ['preview: a number input out of range', 'POST', (id) => `/api/templates/${id}/preview`, { inputs: { folder: 'x', count: 501 } }, /^inputs\.count must be at most 500$/],
      ['preview: a fraction for a whole number', 'POST', (id) => `/api/templates/${id}/preview`, { inputs: { folder: 'x', count: '2.5' } }, /^inputs\.count must be a whole number$/],
      ['preview: a date input of no calendar', 'POST', (id) => `/api/templates/${id}/preview`, { inputs: { folder: 'x', due: '2026-02-30' } }, /^inputs\.due must be a date YYYY-MM-DD$/],
      ['preview: a choice not offered', 'POST', (id) => `/api/templates/${id}/preview`, { inputs: { folder: 'x', ledger: 'Sage' } }, /^inputs\.ledger must be one of Xero, QuickBooks$/],
      ['preview: text past its maxLength', 'POST', (id) => `/api/templates/${id}/preview`, { inputs: { folder: 'x'.repeat(201) } }, /^inputs\.folder must be at most 200 characters$/],
      ['preview: NUL in a text input', 'POST', (id) => `/api/templates/${id}/preview`, { inputs: { folder: 'a\u0000' } }, /^inputs\.folder must not contain the NUL character/],
      ['preview: unknown priority', 'POST', (id) => `/api/templates/${id}/preview`, { priority: 'asap' }, /^priority must be one of/],
      ['preview: submittedAt not a date-time', 'POST', (id) => `/api/templates/${id}/preview`, { submittedAt: 'tomorrow' }, /^submittedAt must be an ISO-8601 date-time$/],
      ['preview: submittedAt years away', 'POST', (id) => `/api/templates/${id}/preview`, { submittedAt: '2099-01-01T00:00:00Z' }, /^submittedAt must be within a year of now$/],
      ['preview: versionId not a UUID', 'POST', (id) => `/api/templates/${id}/preview`, { versionId: 'v1' }, /^versionId must be a UUID$/],
      ['preview: smuggled deadline', 'POST', (id) => `/api/templates/${id}/preview`, { deadline: '2030-01-01T00:00:00Z' }, /^deadline is not allowed$/],
    ];

    it.each(cases)('%s', async (_name, method, path, body, message) => {
      const res = await t.http.request(method, path(tpl.id), body, { token: a.token });
      expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message: expect.stringMatching(message) });
      expect(res.body.statusCode).toBe(400);
    });

    it('changes nothing when input is refused', async () => {
      const before = (await t.db.query(`SELECT (SELECT count(*) FROM templates)::int AS t, (SELECT count(*) FROM template_versions)::int AS v`)).rows[0];
      for (const [, method, path, body] of cases) await t.http.request(method, path(tpl.id), body, { token: a.token });
      expect((await t.db.query(`SELECT (SELECT count(*) FROM templates)::int AS t, (SELECT count(*) FROM template_versions)::int AS v`)).rows[0]).toEqual(before);
    });
  });
});
