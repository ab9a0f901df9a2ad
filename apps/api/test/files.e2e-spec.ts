import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileView } from '@handoff/contracts';
import { DownloadLinks, downloadLinkKey } from '../src/files/download-links.js';
import { FILE_STORAGE, FilesService } from '../src/files/files.service.js';
import type { ObjectStorage } from '../src/files/storage/object-storage.js';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { gif, pdf, png } from './support/file-samples.js';
import { act, submitTask } from './support/tasks.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app.js';
import { startTestS3, type TestS3 } from './support/test-s3.js';

// Small limits, so the size and quota rules are reached with small files; the
// file limit is past the 64 KiB sniffed head, so a file streams on after it.
const FILE_MAX = 200_000;
const QUOTA = 1_000_000;

interface Upload {
  status: number;
  body: FileView & { message?: string; code?: string; statusCode?: number };
}

interface Driver {
  env(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

function diskDriver(): Driver {
  let dir = '';
  return {
    async env() {
      dir = await mkdtemp(join(tmpdir(), 'handoff-files-'));
      return { STORAGE_DRIVER: 'disk', STORAGE_DIR: dir };
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

function s3Driver(): Driver {
  let s3: TestS3 | undefined;
  return {
    async env() {
      s3 = await startTestS3('handoff-files');
      const { endpoint, bucket, options } = s3;
      return {
        STORAGE_DRIVER: 's3',
        S3_ENDPOINT: endpoint,
        S3_BUCKET: bucket,
        S3_REGION: options.region!,
        S3_ACCESS_KEY_ID: options.accessKeyId!,
        S3_SECRET_ACCESS_KEY: options.secretAccessKey!,
        S3_FORCE_PATH_STYLE: 'true',
      };
    },
    close: async () => {
      await s3?.close();
    },
  };
}

/** A PNG padded with random bytes to `size`: still sniffed as a PNG, and every byte checked on the way back. */
function bigPng(size: number): Buffer {
  const head = png();
  return Buffer.concat([head, randomBytes(size - head.length)]);
}

describe.each([
  ['disk', diskDriver],
  ['s3', s3Driver],
])('files on tasks (%s storage)', (_name, makeDriver) => {
  let t: TestApp;
  let driver: Driver;
  let storage: ObjectStorage;
  let a: Session;
  let b: Session;
  let x: Session;
  let y: Session;
  let admin: Session;

  beforeAll(async () => {
    driver = makeDriver();
    t = await startTestApp({ ...(await driver.env()), FILE_MAX_BYTES: String(FILE_MAX), FILE_ORG_QUOTA_BYTES: String(QUOTA), DOWNLOAD_LINK_TTL: '60s' });
    storage = t.app.get<ObjectStorage>(FILE_STORAGE);
    a = await registerClient(t.http);
    b = await registerClient(t.http);
    x = await registerAssistant(t.http, ['data_entry']);
    y = await registerAssistant(t.http, ['data_entry']);
    admin = await loginAdmin(t.http, t.config);
  });
  afterAll(async () => {
    await t.close();
    await driver.close();
  });

  /** A multipart upload as a browser's FormData sends it: the text fields, then the file. */
  async function upload(s: Session, taskId: string, fields: Record<string, string>, bytes: Buffer, name: string): Promise<Upload> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([bytes]), name);
    const res = await fetch(`${t.url}/api/tasks/${taskId}/files`, { method: 'POST', body: form, headers: { authorization: `Bearer ${s.token}` } });
    return { status: res.status, body: JSON.parse(await res.text()) };
  }

  async function download(s: Session, fileId: string) {
    const link = await t.http.get(`/api/files/${fileId}/link`, { token: s.token });
    expect(link.status).toBe(200);
    const res = await fetch(t.url + link.body.url);
    return { res, bytes: Buffer.from(await res.arrayBuffer()), url: link.body.url as string };
  }

  async function keyOf(fileId: string): Promise<string> {
    return (await t.db.query<{ storage_key: string }>(`SELECT storage_key FROM task_files WHERE id = $1`, [fileId])).rows[0]!.storage_key;
  }

  /** A's task, claimed (and started, unless told not to) by X. */
  async function assignedTask(start = true) {
    const task = await submitTask(t.http, a);
    expect((await act(t.http, x, task.id, 'claim')).status).toBe(200);
    if (start) expect((await act(t.http, x, task.id, 'start')).status).toBe(200);
    return task;
  }

  it('uploads, lists and downloads a file byte for byte, past the sniffed head, with its digest', async () => {
    const task = await submitTask(t.http, a);
    const bytes = bigPng(150_000);
    const up = await upload(a, task.id, { purpose: 'attachment' }, bytes, 'scan.png');
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ taskId: task.id, purpose: 'attachment', messageId: null, uploadedBy: a.user.id, name: 'scan.png', contentType: 'image/png', size: bytes.length });
    expect(up.body.sha256).toBe((await import('node:crypto')).createHash('sha256').update(bytes).digest('hex'));

    const list = await t.http.get(`/api/tasks/${task.id}/files`, { token: a.token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((f: FileView) => f.id)).toEqual([up.body.id]);

    const { res, bytes: got } = await download(a, up.body.id);
    expect(res.status).toBe(200);
    expect(got.equals(bytes)).toBe(true);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toBe('inline; filename="scan.png"');
  });

  it('serves anything a browser could run as an attachment, and sanitizes names', async () => {
    const task = await submitTask(t.http, a);
    const up = await upload(a, task.id, { purpose: 'attachment' }, pdf(), '../../etc/in<vo>ice\u202E.pdf');
    expect(up.status).toBe(201);
    expect(up.body.name).toBe('in_vo_ice.pdf');
    const { res, bytes } = await download(a, up.body.id);
    expect(bytes.equals(pdf())).toBe(true);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="in_vo_ice.pdf"');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');

    const csv = await upload(a, task.id, { purpose: 'attachment' }, Buffer.from('name,amount\nAcme,12\n'), 'März.csv');
    expect(csv.status).toBe(201);
    expect(csv.body.contentType).toBe('text/csv');
    const got = await download(a, csv.body.id);
    expect(got.res.headers.get('content-disposition')).toBe(`attachment; filename="Marz.csv"; filename*=UTF-8''M%C3%A4rz.csv`);
  });

  it('refuses a type off the allow-list, or a name that lies about the type, with 415 and stores nothing', async () => {
    const task = await submitTask(t.http, a);
    const cases: [Buffer, string, string][] = [
      [Buffer.from('<!doctype html><script>alert(1)</script>'), 'notes.txt', 'type_not_allowed'],
      [Buffer.from('<svg onload="alert(1)"></svg>'), 'logo.svg', 'type_not_allowed'],
      [pdf(), 'photo.png', 'extension_mismatch'],
      [gif(), 'anim.pdf', 'extension_mismatch'],
      [Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x00]), 'blob.bin', 'unknown_type'],
      [Buffer.alloc(0), 'empty.txt', 'unknown_type'],
    ];
    for (const [bytes, name, code] of cases) {
      const res = await upload(a, task.id, { purpose: 'attachment' }, bytes, name);
      expect({ name, status: res.status, code: res.body.code }).toEqual({ name, status: 415, code });
      expect(res.body.message).toMatch(/^file: /);
    }
    expect((await t.http.get(`/api/tasks/${task.id}/files`, { token: a.token })).body.items).toEqual([]);
  });

  it('refuses a file past FILE_MAX_BYTES with 413 file_too_large, and keeps none of it', async () => {
    const task = await submitTask(t.http, a);
    const exact = await upload(a, task.id, { purpose: 'attachment' }, bigPng(FILE_MAX), 'exact.png');
    expect(exact.status).toBe(201);
    const over = await upload(a, task.id, { purpose: 'attachment' }, bigPng(FILE_MAX + 1), 'over.png');
    expect(over.status).toBe(413);
    expect(over.body).toMatchObject({ statusCode: 413, code: 'file_too_large' });
    expect((await t.http.get(`/api/tasks/${task.id}/files`, { token: a.token })).body.items.map((f: FileView) => f.name)).toEqual(['exact.png']);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM task_files WHERE task_id = $1`, [task.id]);
    expect(rows[0].n).toBe(1);
  });

  it('holds an organization to its quota, also for uploads racing for the last room: 413 quota_exceeded', async () => {
    const c = await registerClient(t.http);
    const task = await submitTask(t.http, c);
    for (let i = 0; i < 4; i++) expect((await upload(c, task.id, { purpose: 'attachment' }, bigPng(200_000), `part-${i}.png`)).status).toBe(201);
    // 200 000 bytes of room left: each of these fits alone, not both.
    const racing = await Promise.all([0, 1].map((i) => upload(c, task.id, { purpose: 'attachment' }, bigPng(150_000), `race-${i}.png`)));
    expect(racing.map((r) => r.status).sort()).toEqual([201, 413]);
    expect(racing.find((r) => r.status === 413)!.body.code).toBe('quota_exceeded');
    // 50 000 left: a file of 60 000 is refused once it passes them.
    const third = await upload(c, task.id, { purpose: 'attachment' }, bigPng(60_000), 'third.png');
    expect(third.status).toBe(413);
    expect(third.body).toMatchObject({ code: 'quota_exceeded', quotaBytes: QUOTA });
    const { rows } = await t.db.query(`SELECT sum(size)::int AS used, count(*)::int AS n FROM task_files WHERE organization_id = $1 AND deleted_at IS NULL`, [c.user.organizationId]);
    expect(rows[0]).toEqual({ used: 950_000, n: 5 });
    // Another organization is not held to c's quota.
    expect((await upload(a, (await submitTask(t.http, a)).id, { purpose: 'attachment' }, bigPng(100_000), 'fine.png')).status).toBe(201);
  });

  it('hides another organization’s task and files: 404 for list, upload, link and delete', async () => {
    const task = await submitTask(t.http, a);
    const up = await upload(a, task.id, { purpose: 'attachment' }, png(), 'a.png');
    expect((await t.http.get(`/api/tasks/${task.id}/files`, { token: b.token })).status).toBe(404);
    expect((await upload(b, task.id, { purpose: 'attachment' }, png(), 'b.png')).status).toBe(404);
    expect((await t.http.get(`/api/files/${up.body.id}/link`, { token: b.token })).status).toBe(404);
    expect((await t.http.request('DELETE', `/api/files/${up.body.id}`, undefined, { token: b.token })).status).toBe(404);
    // An assistant who only sees the task queued in its skills does not take part in it.
    expect((await t.http.get(`/api/tasks/${task.id}/files`, { token: y.token })).status).toBe(404);
    expect((await t.http.get(`/api/files/${up.body.id}/link`, { token: y.token })).status).toBe(404);
    // Admins read every task's files.
    expect((await t.http.get(`/api/tasks/${task.id}/files`, { token: admin.token })).body.items).toHaveLength(1);
    expect((await download(admin, up.body.id)).res.status).toBe(200);
  });

  it('lets each role add only its purpose: 403 for the wrong role, 409 for the wrong state', async () => {
    const task = await assignedTask(false);
    // Result files are the assignee's while in progress: claimed is too early.
    expect((await upload(x, task.id, { purpose: 'result' }, png(), 'r.png')).status).toBe(409);
    expect((await act(t.http, x, task.id, 'start')).status).toBe(200);
    const result = await upload(x, task.id, { purpose: 'result' }, png(), 'result.png');
    expect(result.status).toBe(201);
    expect((await upload(a, task.id, { purpose: 'result' }, png(), 'r.png')).status).toBe(403);
    expect((await upload(admin, task.id, { purpose: 'result' }, png(), 'r.png')).status).toBe(403);
    // Attachments are the client organization's.
    expect((await upload(x, task.id, { purpose: 'attachment' }, png(), 'a.png')).status).toBe(403);
    expect((await upload(admin, task.id, { purpose: 'attachment' }, png(), 'a.png')).status).toBe(403);
    const attachment = await upload(a, task.id, { purpose: 'attachment' }, png(), 'a.png');
    expect(attachment.status).toBe(201);
    // A message's files are its author's.
    const message = await t.http.post(`/api/tasks/${task.id}/messages`, { body: 'See the scan.' }, { token: a.token });
    expect((await upload(x, task.id, { purpose: 'message', messageId: message.body.id }, png(), 'm.png')).status).toBe(403);
    const onMessage = await upload(a, task.id, { purpose: 'message', messageId: message.body.id }, png(), 'm.png');
    expect(onMessage.status).toBe(201);
    expect(onMessage.body.messageId).toBe(message.body.id);
    // Each party reads both sides' files.
    expect((await t.http.get(`/api/tasks/${task.id}/files`, { token: x.token })).body.items.map((f: FileView) => f.purpose)).toEqual(['result', 'attachment', 'message']);
    // Only the uploader deletes.
    expect((await t.http.request('DELETE', `/api/files/${attachment.body.id}`, undefined, { token: x.token })).status).toBe(403);
    expect((await t.http.request('DELETE', `/api/files/${result.body.id}`, undefined, { token: a.token })).status).toBe(403);
    // Once returned, the result files stand.
    expect((await act(t.http, x, task.id, 'return', { result: 'Done, see the file.' })).status).toBe(200);
    expect((await t.http.request('DELETE', `/api/files/${result.body.id}`, undefined, { token: x.token })).status).toBe(409);
  });

  it('lists a message’s files with the message in the conversation', async () => {
    const task = await assignedTask();
    const message = await t.http.post(`/api/tasks/${task.id}/messages`, { body: 'Here it is.' }, { token: x.token });
    const up = await upload(x, task.id, { purpose: 'message', messageId: message.body.id }, pdf(), 'draft.pdf');
    expect(up.status).toBe(201);
    const page = await t.http.get(`/api/tasks/${task.id}/messages`, { token: a.token });
    const entry = page.body.items.find((i: { kind: string; message?: { id: string } }) => i.kind === 'message' && i.message!.id === message.body.id);
    expect(entry.message.files).toEqual([{ id: up.body.id, name: 'draft.pdf', contentType: 'application/pdf', size: pdf().length }]);
  });

  it('takes every access away from an assistant who released the task, links made before included', async () => {
    const task = await assignedTask(false);
    const message = await t.http.post(`/api/tasks/${task.id}/messages`, { body: 'A question about the scan.' }, { token: x.token });
    const own = await upload(x, task.id, { purpose: 'message', messageId: message.body.id }, png(), 'question.png');
    expect(own.status).toBe(201);
    const attachment = await upload(a, task.id, { purpose: 'attachment' }, pdf(), 'brief.pdf');
    const before = await t.http.get(`/api/files/${attachment.body.id}/link`, { token: x.token });
    expect((await fetch(t.url + before.body.url)).status).toBe(200);
    expect((await act(t.http, x, task.id, 'release')).status).toBe(200);
    expect((await t.http.get(`/api/tasks/${task.id}/files`, { token: x.token })).status).toBe(404);
    expect((await t.http.get(`/api/files/${attachment.body.id}/link`, { token: x.token })).status).toBe(404);
    expect((await fetch(t.url + before.body.url)).status).toBe(404);
    expect((await t.http.request('DELETE', `/api/files/${own.body.id}`, undefined, { token: x.token })).status).toBe(404);
    expect((await upload(x, task.id, { purpose: 'message', messageId: message.body.id }, png(), 'more.png')).status).toBe(404);
    // The next assignee takes part now.
    expect((await act(t.http, y, task.id, 'claim')).status).toBe(200);
    expect((await download(y, attachment.body.id)).res.status).toBe(200);
  });

  it('refuses a forged or expired link with 403 naming which, and a link without a token with 400', async () => {
    const task = await submitTask(t.http, a);
    const up = await upload(a, task.id, { purpose: 'attachment' }, png(), 'x.png');
    const { url } = (await t.http.get(`/api/files/${up.body.id}/link`, { token: a.token })).body as { url: string };
    const token = new URL(url, t.url).searchParams.get('token')!;
    const forged = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    const res = await t.http.get(`/api/files/download?token=${encodeURIComponent(forged)}`);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('link_invalid');
    // Another file's id under this link's signature is a forgery too.
    const [v, , exp, mac] = token.split('.');
    const swapped = [v, Buffer.from(`${randomBytes(16).toString('hex')}:${a.user.id}`).toString('base64url'), exp, mac].join('.');
    expect((await t.http.get(`/api/files/download?token=${swapped}`)).body.code).toBe('link_invalid');
    const expired = new DownloadLinks(downloadLinkKey(TEST_JWT_SECRET)).signDownload(`${up.body.id}:${a.user.id}`, 1_000, Date.now() - 60_000);
    const late = await t.http.get(`/api/files/download?token=${expired}`);
    expect(late.status).toBe(403);
    expect(late.body.code).toBe('link_expired');
    const none = await t.http.get('/api/files/download');
    expect(none.status).toBe(400);
    expect(none.body.message).toBe('token is required');
  });

  it('answers bad input with 400 naming the field', async () => {
    const task = await submitTask(t.http, a);
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /^purpose is required$/],
      [{ purpose: 'poster' }, /^purpose must be one of attachment, message, result$/],
      [{ purpose: 'message' }, /^messageId is required when purpose is message$/],
      [{ purpose: 'attachment', messageId: '00000000-0000-4000-8000-000000000000' }, /^messageId is only allowed when purpose is message$/],
      [{ purpose: 'message', messageId: 'nope' }, /^messageId must be a UUID$/],
      [{ purpose: 'attachment', owner: 'me' }, /^owner is not allowed$/],
    ];
    for (const [fields, message] of cases) {
      const res = await upload(a, task.id, fields, png(), 'a.png');
      expect({ fields, status: res.status, message: res.body.message }).toEqual({ fields, status: 400, message: expect.stringMatching(message) });
    }
    expect((await upload(a, task.id, { purpose: 'message', messageId: '00000000-0000-4000-8000-000000000000' }, png(), 'a.png')).status).toBe(404);
    const json = await t.http.post(`/api/tasks/${task.id}/files`, { purpose: 'attachment' }, { token: a.token });
    expect(json.status).toBe(400);
    expect(json.body.message).toMatch(/^file: /);
    const noFile = new FormData();
    noFile.append('purpose', 'attachment');
    const res = await fetch(`${t.url}/api/tasks/${task.id}/files`, { method: 'POST', body: noFile, headers: { authorization: `Bearer ${a.token}` } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/^file is required/);
    expect((await t.http.get('/api/tasks/123/files', { token: a.token })).body.message).toBe('id must be a UUID');
    expect((await t.http.get('/api/files/123/link', { token: a.token })).body.message).toBe('id must be a UUID');
    // Other routes still refuse multipart.
    const elsewhere = await fetch(`${t.url}/api/tasks/${task.id}/messages`, { method: 'POST', body: noFile, headers: { authorization: `Bearer ${a.token}` } });
    expect(elsewhere.status).toBe(415);
  });

  it('deletes a file’s bytes with it, and a task’s content with all of its files', async () => {
    const task = await assignedTask();
    const one = await upload(a, task.id, { purpose: 'attachment' }, png(), 'one.png');
    const two = await upload(x, task.id, { purpose: 'result' }, pdf(), 'two.pdf');
    const keyOne = await keyOf(one.body.id);
    expect(await storage.exists(keyOne)).toBe(true);
    const gone = await t.http.request('DELETE', `/api/files/${one.body.id}`, undefined, { token: a.token });
    expect(gone.status).toBe(204);
    expect(await storage.exists(keyOne)).toBe(false);
    expect((await t.http.get(`/api/files/${one.body.id}/link`, { token: a.token })).status).toBe(404);
    // Gone either way: deleting again answers the same.
    expect((await t.http.request('DELETE', `/api/files/${one.body.id}`, undefined, { token: a.token })).status).toBe(204);
    expect((await t.http.request('DELETE', `/api/files/${one.body.id}`, undefined, { token: x.token })).status).toBe(403);

    const keyTwo = await keyOf(two.body.id);
    const link = (await t.http.get(`/api/files/${two.body.id}/link`, { token: a.token })).body.url as string;
    expect(await t.app.get(FilesService).deleteTaskContent(task.id)).toBe(1);
    expect(await storage.exists(keyTwo)).toBe(false);
    expect((await t.http.get(`/api/tasks/${task.id}/files`, { token: a.token })).body.items).toEqual([]);
    expect((await fetch(t.url + link)).status).toBe(404);
  });
});
