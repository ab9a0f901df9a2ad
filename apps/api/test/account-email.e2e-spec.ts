import type { Queue } from 'bullmq';
import { getQueueToken } from '@nestjs/bullmq';
import { ReviewReminders } from '../src/notifications/review-reminders.js';
import { PASSWORD, registerAssistant, registerClient, signIn, type Session } from './support/factories.js';
import { act, eventually, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestSmtp, type ReceivedMail, type TestSmtp } from './support/test-smtp.js';

const PUBLIC_URL = 'http://handoff.test';
const NEW_PASSWORD = 'a-brand-new-passphrase';

/** The token of the link in a mail's plain-text part (after `#token=`). */
function tokenIn(mail: ReceivedMail): string {
  const m = /#token=([A-Za-z0-9_-]{43})/.exec(mail.parsed.text ?? '');
  if (!m) throw new Error(`no link token in: ${mail.parsed.text}`);
  return m[1]!;
}

describe('account mail: address verification, password reset, review reminders', () => {
  let smtp: TestSmtp;
  let t: TestApp;
  const mailsTo = (address: string) => smtp.messages.filter((m) => m.envelope.to.includes(address));
  const mailTo = (address: string, subject: RegExp) =>
    eventually(
      async () => mailsTo(address).find((m) => subject.test(m.parsed.subject ?? '')),
      (m) => m !== undefined,
    ) as Promise<ReceivedMail>;
  const tokenRows = async (userId: string, purpose: string) =>
    (await t.db.query(`SELECT count(*)::int AS n FROM email_tokens WHERE user_id = $1 AND purpose = $2`, [userId, purpose])).rows[0].n as number;

  beforeAll(async () => {
    smtp = await startTestSmtp({ refuseRecipient: (a) => (a.startsWith('bounce') ? { code: 550, message: 'no such user' } : undefined) });
    // A review window a reminder lead shorter: the reminder falls due a second after a return.
    t = await startTestApp({ SMTP_URL: smtp.url, PUBLIC_URL, REVIEW_WINDOW: '1h', REVIEW_REMINDER_LEAD: '3599s', MAIL_FROM: 'Handoff <no-reply@handoff.test>' });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  describe('verification on registration', () => {
    it('mails a link that proves the address once', async () => {
      const c = await registerClient(t.http);
      expect(c.user.emailVerifiedAt).toBeNull();
      const mail = await mailTo(c.user.email, /confirm your e-mail address/i);
      expect(mail.envelope.from).toBe('no-reply@handoff.test');
      expect(mail.parsed.text).toContain(`${PUBLIC_URL}/verify-email#token=`);
      expect(mail.parsed.html).toContain('Confirm my address');

      const token = tokenIn(mail);
      const ok = await t.http.post('/api/auth/verify-email', { token });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ email: c.user.email, emailVerifiedAt: expect.any(String) });
      expect((await t.http.get('/api/auth/me', { token: c.token })).body.emailVerifiedAt).toBe(ok.body.emailVerifiedAt);

      const again = await t.http.post('/api/auth/verify-email', { token });
      expect(again.status).toBe(400);
      expect(again.body.message).toBe('token is invalid, expired or used already');
    });

    it('resends on request, not more than one a minute, and not once verified', async () => {
      const a = await registerAssistant(t.http);
      await mailTo(a.user.email, /confirm/i);
      // Within the minute: the same answer, no second token, no second mail.
      const resend = await t.http.post('/api/auth/verify-email/resend', undefined, { token: a.token });
      expect(resend.status).toBe(202);
      expect(resend.body).toEqual({ accepted: true, message: `A link to confirm ${a.user.email} is on its way.` });
      expect(await tokenRows(a.user.id, 'verify_email')).toBe(1);

      await t.db.query(`UPDATE email_tokens SET created_at = created_at - interval '2 minutes' WHERE user_id = $1`, [a.user.id]);
      expect((await t.http.post('/api/auth/verify-email/resend', undefined, { token: a.token })).status).toBe(202);
      await eventually(async () => mailsTo(a.user.email).length, (n) => n === 2);
      const [first, second] = mailsTo(a.user.email);
      // Only the newest link works.
      expect((await t.http.post('/api/auth/verify-email', { token: tokenIn(first!) })).status).toBe(400);
      expect((await t.http.post('/api/auth/verify-email', { token: tokenIn(second!) })).status).toBe(200);

      const done = await t.http.post('/api/auth/verify-email/resend', undefined, { token: a.token });
      expect(done.body.message).toBe('The address is verified already.');
      expect(await tokenRows(a.user.id, 'verify_email')).toBe(2);
    });

    it('asks a signed-in caller to resend', async () => {
      expect((await t.http.post('/api/auth/verify-email/resend')).status).toBe(401);
    });
  });

  describe('password reset', () => {
    let c: Session;
    beforeAll(async () => {
      c = await registerClient(t.http);
    });

    it('answers the same for an unknown address and mails nothing there', async () => {
      const known = await t.http.post('/api/auth/password-reset', { email: c.user.email.toUpperCase() });
      const unknown = await t.http.post('/api/auth/password-reset', { email: 'nobody-here@example.com' });
      expect(known.status).toBe(202);
      expect(unknown.status).toBe(202);
      expect(unknown.body).toEqual(known.body);
      await mailTo(c.user.email, /reset your handoff password/i);
      expect(mailsTo('nobody-here@example.com')).toEqual([]);
    });

    it('sets the new password once, ends every session, and proves the address', async () => {
      const session = await signIn(t.http, c.user.email);
      const mail = await mailTo(c.user.email, /reset your handoff password/i);
      expect(mail.parsed.text).toContain(`${PUBLIC_URL}/reset-password#token=`);
      const token = tokenIn(mail);

      expect((await t.http.post('/api/auth/password-reset/confirm', { token, password: NEW_PASSWORD })).status).toBe(204);
      expect((await t.http.get('/api/auth/me', { token: session.token })).status).toBe(401);
      expect((await t.http.post('/api/auth/login', { email: c.user.email, password: PASSWORD })).status).toBe(401);
      const login = await t.http.post('/api/auth/login', { email: c.user.email, password: NEW_PASSWORD });
      expect(login.status).toBe(200);
      expect(login.body.user.emailVerifiedAt).toEqual(expect.any(String));

      const reuse = await t.http.post('/api/auth/password-reset/confirm', { token, password: 'yet-another-passphrase' });
      expect(reuse.status).toBe(400);
      expect(reuse.body.message).toBe('token is invalid, expired or used already');
    });

    it('refuses an expired link', async () => {
      const other = await registerClient(t.http);
      await t.http.post('/api/auth/password-reset', { email: other.user.email });
      const token = tokenIn(await mailTo(other.user.email, /reset/i));
      await t.db.query(`UPDATE email_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [other.user.id]);
      expect((await t.http.post('/api/auth/password-reset/confirm', { token, password: NEW_PASSWORD })).status).toBe(400);
      expect((await t.http.post('/api/auth/login', { email: other.user.email, password: PASSWORD })).status).toBe(200);
    });

    it('issues one link for concurrent requests', async () => {
      const other = await registerClient(t.http);
      const answers = await Promise.all(Array.from({ length: 8 }, () => t.http.post('/api/auth/password-reset', { email: other.user.email })));
      expect(answers.map((r) => r.status)).toEqual(Array(8).fill(202));
      expect(await tokenRows(other.user.id, 'password_reset')).toBe(1);
      await mailTo(other.user.email, /reset/i);
    });

    it('mails nothing to a suspended account', async () => {
      const other = await registerClient(t.http);
      await t.db.query(`UPDATE users SET suspended = true WHERE id = $1`, [other.user.id]);
      expect((await t.http.post('/api/auth/password-reset', { email: other.user.email })).status).toBe(202);
      expect(await tokenRows(other.user.id, 'password_reset')).toBe(0);
    });

    it.each([
      ['/api/auth/password-reset', {}, 'email is required'],
      ['/api/auth/password-reset', { email: 'not-an-address' }, 'email must be an e-mail address'],
      ['/api/auth/password-reset', { email: 'a@example.com', extra: 1 }, 'extra'],
      ['/api/auth/password-reset/confirm', { password: NEW_PASSWORD }, 'token is required'],
      ['/api/auth/password-reset/confirm', { token: 'short', password: NEW_PASSWORD }, 'token must be the token from the e-mail'],
      ['/api/auth/password-reset/confirm', { token: 'a'.repeat(43), password: 'short' }, 'password must be at least'],
      ['/api/auth/password-reset/confirm', { token: 'a'.repeat(43) }, 'password is required'],
      ['/api/auth/verify-email', {}, 'token is required'],
      ['/api/auth/verify-email', { token: 42 }, 'token'],
      ['/api/auth/verify-email', { token: 'x'.repeat(500) }, 'token must be the token from the e-mail'],
    ])('POST %s %j: 400 naming the field', async (path, body, message) => {
      const res = await t.http.post(path, body);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(message);
    });

    it('a token of the right shape that was never issued is a 400, not a 500', async () => {
      const res = await t.http.post('/api/auth/password-reset/confirm', { token: 'A'.repeat(43), password: NEW_PASSWORD });
      expect(res.status).toBe(400);
    });
  });

  describe('delivery', () => {
    it('fails a mail the server refuses for good without retrying it', async () => {
      const bounced = await registerClient(t.http, { email: `bounce-${Date.now()}@example.com` });
      const mailQueue = t.app.get<Queue>(getQueueToken('mail'), { strict: false });
      const failed = await eventually(
        async () => (await mailQueue.getFailed()).find((j) => j.data.to === bounced.user.email),
        (j) => j !== undefined,
      );
      expect(failed!.attemptsMade).toBe(1);
      expect(failed!.failedReason).toMatch(/550|no such user/);
    });
  });

  describe('review reminder', () => {
    it('mails the verified clients once when a returned task nears auto-accept', async () => {
      const c = await registerClient(t.http);
      await t.db.query(`UPDATE users SET email_verified_at = now() WHERE id = $1`, [c.user.id]);
      const a = await registerAssistant(t.http, ['data_entry']);
      const task = await submitTask(t.http, c, { title: 'Reconcile the March ledger' });
      expect((await act(t.http, a, task.id, 'claim')).status).toBe(200);
      expect((await act(t.http, a, task.id, 'start')).status).toBe(200);
      const returned = (await act(t.http, a, task.id, 'return', { result: 'done' })).body;

      const mail = await mailTo(c.user.email, /will be accepted automatically/);
      expect(mail.parsed.subject).toContain('Reconcile the March ledger');
      expect(mail.parsed.text).toContain(`${PUBLIC_URL}/client/tasks/${task.id}`);
      // The assistant is not a reviewer.
      expect(mailsTo(a.user.email).filter((m) => /accepted automatically/.test(m.parsed.subject ?? ''))).toEqual([]);

      // The timer firing again (a retry, a sweep) sends nothing more.
      const again = await t.app.get(ReviewReminders).remind(task.id, returned.version);
      expect(again).toEqual({ applied: false, recipients: 0 });
      expect(mailsTo(c.user.email).filter((m) => /accepted automatically/.test(m.parsed.subject ?? ''))).toHaveLength(1);
    });
  });
});
