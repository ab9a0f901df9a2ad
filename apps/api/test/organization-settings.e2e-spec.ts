import { DEFAULT_BUSINESS_HOURS, type OrganizationSettingsView } from '@handoff/contracts';
import { addMember, loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const NO_ID = '00000000-0000-4000-8000-000000000000';
const nineToFive = [{ start: '09:00', end: '17:00' }];

describe('organization settings: time zone, business hours, holidays', () => {
  let t: TestApp;
  let admin: Session;
  let a: Session;
  let b: Session;
  let assistant: Session;
  const path = (s: Session | string) => `/api/organizations/${typeof s === 'string' ? s : s.user.organizationId}/settings`;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http, t.config);
    a = await registerClient(t.http);
    b = await registerClient(t.http);
    assistant = await registerAssistant(t.http);
  });
  afterAll(() => t.close());

  it('starts in UTC, Monday to Friday 09:00–17:00, without holidays', async () => {
    const res = await t.http.get<OrganizationSettingsView>(path(a), { token: a.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ organizationId: a.user.organizationId, ...DEFAULT_BUSINESS_HOURS, preferredHeadStartSeconds: 300, monthlyBudgetCents: null, updatedAt: expect.any(String) });
  });

  it('changes only what is given: the zone, the weekdays named, the holidays (kept in date order)', async () => {
    const res = await t.http.patch<OrganizationSettingsView>(
      path(a),
      { timeZone: 'Europe/Berlin', weeklyHours: { fri: [{ start: '09:00', end: '13:00' }], sat: [{ start: '10:00', end: '12:00' }, { start: '13:00', end: '24:00' }] }, holidays: ['2026-12-25', '2026-12-24'] },
      { token: a.token },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      timeZone: 'Europe/Berlin',
      weeklyHours: { sun: [], mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: [{ start: '09:00', end: '13:00' }], sat: [{ start: '10:00', end: '12:00' }, { start: '13:00', end: '24:00' }] },
      holidays: ['2026-12-24', '2026-12-25'],
    });
    const again = await t.http.patch<OrganizationSettingsView>(path(a), { weeklyHours: { sat: [] } }, { token: a.token });
    expect(again.body).toMatchObject({ timeZone: 'Europe/Berlin', holidays: ['2026-12-24', '2026-12-25'] });
    expect(again.body.weeklyHours.sat).toEqual([]);
    expect(again.body.weeklyHours.fri).toEqual([{ start: '09:00', end: '13:00' }]);
    expect((await t.http.get(path(a), { token: a.token })).body).toEqual(again.body);
    // A member of the same organization and an admin read and change it too.
    const member = await addMember(t.http, admin, a);
    expect((await t.http.get(path(a), { token: member.token })).body).toEqual(again.body);
    const byAdmin = await t.http.patch<OrganizationSettingsView>(path(a), { holidays: [] }, { token: admin.token });
    expect([byAdmin.status, byAdmin.body.holidays]).toEqual([200, []]);
    // Another organization's settings did not move.
    expect((await t.http.get<OrganizationSettingsView>(path(b), { token: b.token })).body.timeZone).toBe('UTC');
  });

  it('names the organization’s zone on a task read by itself, to everyone who may read it, and not in lists', async () => {
    const c = await registerClient(t.http);
    const x = await registerAssistant(t.http, ['research']);
    expect((await t.http.patch(path(c), { timeZone: 'Asia/Tokyo' }, { token: c.token })).status).toBe(200);
    const task = await submitTask(t.http, c, { category: 'research' });
    for (const who of [c, admin, x]) expect((await t.http.get(`/api/tasks/${task.id}`, { token: who.token })).body.organizationTimeZone).toBe('Asia/Tokyo');
    const listed = (await t.http.get<{ items: Record<string, unknown>[] }>('/api/tasks', { token: c.token })).body.items.find((i) => i.id === task.id);
    expect(listed).not.toHaveProperty('organizationTimeZone');
  });

  it('keeps holidays as calendar dates, whatever the zone of the server or the organization', async () => {
    await t.http.patch(path(b), { timeZone: 'Pacific/Kiritimati', holidays: ['2027-01-01'] }, { token: b.token });
    const { rows } = await t.db.query(`SELECT holidays::text AS h FROM organizations WHERE id = $1`, [b.user.organizationId]);
    expect(rows[0].h).toBe('{2027-01-01}');
    expect((await t.http.get<OrganizationSettingsView>(path(b), { token: b.token })).body.holidays).toEqual(['2027-01-01']);
  });

  it('another organization gets 404, assistants 403, anonymous callers 401; nothing changes', async () => {
    const before = (await t.http.get(path(a), { token: a.token })).body;
    for (const [method, body] of [['GET', undefined], ['PATCH', { timeZone: 'Asia/Tokyo' }]] as const) {
      expect((await t.http.request(method, path(a), body, { token: b.token })).status).toBe(404);
      expect((await t.http.request(method, path(a), body, { token: assistant.token })).status).toBe(403);
      expect((await t.http.request(method, path(a), body)).status).toBe(401);
      expect((await t.http.request(method, path(NO_ID), body, { token: admin.token })).status).toBe(404);
      expect((await t.http.request(method, path(NO_ID), body, { token: a.token })).status).toBe(404);
    }
    expect((await t.http.get(path(a), { token: a.token })).body).toEqual(before);
  });

  type Case = [name: string, body: unknown, message: RegExp];
  const cases: Case[] = [
    ['empty body', {}, /^body must change at least one of timeZone, weeklyHours, holidays, preferredHeadStartSeconds, monthlyBudgetCents$/],
    ['body is an array', [1], /^body must be a JSON object$/],
    ['unknown field', { budgetCents: 100 }, /^budgetCents is not allowed$/],
    ['time zone unknown', { timeZone: 'Mars/Olympus' }, /^timeZone must be an IANA time zone such as Europe\/Berlin$/],
    ['time zone as an offset', { timeZone: '+02:00' }, /^timeZone must be an IANA time zone/],
    ['time zone not a string', { timeZone: 1 }, /^timeZone must be a string$/],
    ['time zone with NUL', { timeZone: 'Europe/Berlin\u0000' }, /^timeZone must be an IANA time zone/],
    ['weekly hours not an object', { weeklyHours: null }, /^weeklyHours must be an object of weekdays \(sun, mon, tue, wed, thu, fri, sat\)$/],
    ['an interval that is not an object', { weeklyHours: { mon: ['09:00-17:00'] } }, /^weeklyHours\.mon\.0 must be an interval \{start, end\}$/],
    ['unknown weekday', { weeklyHours: { monday: nineToFive } }, /^weeklyHours\.monday is not allowed$/],
    ['a day that is not a list', { weeklyHours: { mon: '09-17' } }, /^weeklyHours\.mon must be a list of \{start, end\} intervals$/],
    ['a time of no clock', { weeklyHours: { mon: [{ start: '9:00', end: '17:00' }] } }, /^weeklyHours\.mon\.0\.start must be a time HH:MM between 00:00 and 23:59$/],
    ['opening at 24:00', { weeklyHours: { mon: [{ start: '24:00', end: '24:00' }] } }, /^weeklyHours\.mon\.0\.start must be a time HH:MM/],
    ['closing at 25:00', { weeklyHours: { mon: [{ start: '09:00', end: '25:00' }] } }, /^weeklyHours\.mon\.0\.end must be a time HH:MM between 00:01 and 24:00$/],
    ['closing before opening', { weeklyHours: { tue: [{ start: '17:00', end: '09:00' }] } }, /^weeklyHours\.tue\.0\.end must be after start \(17:00\)$/],
    ['an empty interval', { weeklyHours: { tue: [{ start: '09:00', end: '09:00' }] } }, /^weeklyHours\.tue\.0\.end must be after start/],
    ['overlapping intervals', { weeklyHours: { wed: [{ start: '09:00', end: '13:00' }, { start: '12:00', end: '17:00' }] } }, /^weeklyHours\.wed\.1\.start must not be before the previous interval ends \(13:00\)/],
    ['intervals out of order', { weeklyHours: { wed: [{ start: '14:00', end: '17:00' }, { start: '09:00', end: '12:00' }] } }, /^weeklyHours\.wed\.1\.start must not be before the previous interval ends/],
    ['an interval with an extra field', { weeklyHours: { thu: [{ start: '09:00', end: '17:00', label: 'day' }] } }, /^weeklyHours\.thu\.0\.label is not allowed$/],
    ['too many intervals', { weeklyHours: { fri: Array.from({ length: 13 }, (_, i) => ({ start: `${String(i + 1).padStart(2, '0')}:00`, end: `${String(i + 1).padStart(2, '0')}:30` })) } }, /^weeklyHours\.fri must have at most 12 intervals$/],
    ['a week with no opening', { weeklyHours: { mon: [], tue: [], wed: [], thu: [], fri: [] } }, /^weeklyHours must open at least one interval in the week$/],
    ['holidays not a list', { holidays: '2026-12-25' }, /^holidays must be a list of dates YYYY-MM-DD$/],
    ['a holiday of no calendar', { holidays: ['2026-02-30'] }, /^holidays\.0 must be a date YYYY-MM-DD$/],
    ['a holiday with a time', { holidays: ['2026-12-25T00:00:00Z'] }, /^holidays\.0 must be a date YYYY-MM-DD$/],
    ['a holiday twice', { holidays: ['2026-12-25', '2026-12-26', '2026-12-25'] }, /^holidays\.2 repeats 2026-12-25$/],
    ['too many holidays', { holidays: Array.from({ length: 367 }, (_, i) => new Date(Date.UTC(2027, 0, 1 + i)).toISOString().slice(0, 10)) }, /^holidays must have at most 366 dates$/],
  ];

  it.each(cases)('bad input: %s → 400 naming the field', async (_name, body, message) => {
    const res = await t.http.patch(path(a), body, { token: a.token });
    expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message: expect.stringMatching(message) });
  });

  it('bad input: an id that is not a UUID, on both routes', async () => {
    for (const method of ['GET', 'PATCH']) {
      const res = await t.http.request(method, '/api/organizations/acme/settings', method === 'PATCH' ? { timeZone: 'UTC' } : undefined, { token: a.token });
      expect([res.status, res.body.message]).toEqual([400, 'id must be a UUID']);
    }
  });

  it('changes nothing when input is refused', async () => {
    const before = (await t.http.get(path(a), { token: a.token })).body;
    for (const [, body] of cases) await t.http.patch(path(a), body, { token: a.token });
    expect((await t.http.get(path(a), { token: a.token })).body).toEqual(before);
  });
});
