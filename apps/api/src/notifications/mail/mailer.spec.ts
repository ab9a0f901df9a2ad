import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { type ReceivedMail, startTestSmtp, type TestSmtp } from '../../../test/support/test-smtp.js';
import { randomBytes } from 'node:crypto';
import { loadConfig as loadEnv } from '../../config/config.js';
import { escapeHtml, html, link } from './html.js';
import { MailDeliveryError, Mailer } from './mailer.js';
import { defineTemplate, reviewReminder, type ReviewReminderValues } from './templates.js';

// Every configuration needs a private JWT secret; these tests are about other settings.
const loadConfig = (env: Record<string, string>) => loadEnv({ JWT_SECRET: randomBytes(32).toString('hex'), ...env });

const values = (over: Partial<ReviewReminderValues> = {}): ReviewReminderValues => ({
  recipientName: 'Ada',
  taskTitle: 'Book flights to Lisbon',
  taskUrl: 'https://handoff.test/tasks/7f3c',
  autoAcceptAt: new Date(Date.UTC(2026, 2, 5, 14, 30)),
  ...over,
});

async function firstMail(smtp: TestSmtp): Promise<ReceivedMail> {
  const [mail] = await smtp.waitForMessages(1);
  return mail!;
}

describe('Mailer over SMTP', () => {
  let smtp: TestSmtp;
  let sut: Mailer;
  beforeEach(async () => {
    smtp = await startTestSmtp({
      refuseRecipient: (a) =>
        a.startsWith('gone@') ? { code: 550, message: 'No such user' } : a.startsWith('busy@') ? { code: 451, message: 'Try again later' } : undefined,
    });
    sut = new Mailer({ smtpUrl: smtp.url, from: 'Handoff <no-reply@handoff.test>' });
  });
  afterEach(async () => {
    sut.close();
    await smtp.close();
  });

  it('delivers the review reminder with its subject, sender, recipient, text and HTML parts', async () => {
    const sent = await sut.send(reviewReminder, 'ada@client.test', values(), { messageId: '<reminder-7f3c@handoff.test>' });
    expect(sent).toEqual({ messageId: '<reminder-7f3c@handoff.test>', accepted: ['ada@client.test'], rejected: [] });

    const { parsed, envelope } = await firstMail(smtp);
    expect(envelope).toEqual({ from: 'no-reply@handoff.test', to: ['ada@client.test'] });
    expect(parsed.subject).toBe('Task "Book flights to Lisbon" will be accepted automatically at 5 Mar 2026, 14:30 UTC');
    expect(parsed.from?.value).toEqual([{ address: 'no-reply@handoff.test', name: 'Handoff' }]);
    expect(parsed.messageId).toBe('<reminder-7f3c@handoff.test>');
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(parsed.headers.get('x-handoff-template')).toBe('review-reminder');

    expect(parsed.text).toContain('Hello Ada,');
    expect(parsed.text).toContain('The task "Book flights to Lisbon" was returned for your review.');
    expect(parsed.text).toContain('before 5 Mar 2026, 14:30 UTC, it will be accepted automatically');
    expect(parsed.text).toContain('Review it here: https://handoff.test/tasks/7f3c');

    expect(parsed.html).toContain('<p>Hello Ada,</p>');
    expect(parsed.html).toContain('<strong>Book flights to Lisbon</strong>');
    expect(parsed.html).toContain('<a href="https://handoff.test/tasks/7f3c" style="color:#1c7ed6">Review the task</a>');
    expect(parsed.html).toMatch(/^<!doctype html>/);
  });

  it('escapes every value in the HTML part, so injected markup arrives as text', async () => {
    const evil = values({
      recipientName: '"><svg onload=alert(1)>',
      taskTitle: '<script>alert("x")</script><img src=x onerror=alert(1)>',
      taskUrl: 'https://handoff.test/tasks/1?next="><script>alert(2)</script>',
    });
    await sut.send(reviewReminder, 'ada@client.test', evil);
    const { parsed } = await firstMail(smtp);
    if (typeof parsed.html !== 'string') throw new Error('no HTML part');
    // Only the template's own tags are markup, and none has an event handler.
    const tags = [...parsed.html.matchAll(/<([a-z!][a-z0-9]*)([^>]*)>/gi)];
    expect(new Set(tags.map((t) => t[1]!.toLowerCase()))).toEqual(new Set(['!doctype', 'html', 'head', 'meta', 'title', 'body', 'div', 'p', 'strong', 'a']));
    expect(tags.filter((t) => /\son\w+=/i.test(t[2]!))).toEqual([]);
    expect(parsed.html).toContain('<strong>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;</strong>');
    expect(parsed.html).toContain('<p>Hello &quot;&gt;&lt;svg onload=alert(1)&gt;,</p>');
    // The quote cannot end the href: the URL parser percent-encodes it.
    expect(parsed.html).toContain('href="https://handoff.test/tasks/1?next=%22%3E%3Cscript%3Ealert(2)%3C/script%3E"');
    // Plain text is not markup: it keeps the value as typed.
    expect(parsed.text).toContain('<script>alert("x")</script>');
  });

  it('refuses a link that is not a web link', () => {
    expect(() => reviewReminder.render(values({ taskUrl: 'javascript:alert(1)' }))).toThrow('not a web link: javascript:');
    expect(() => reviewReminder.render(values({ taskUrl: 'data:text/html,<script>' }))).toThrow('not a web link: data:');
  });

  it('keeps a line break in a value from adding a header', async () => {
    await sut.send(reviewReminder, 'ada@client.test', values({ taskTitle: 'Trip\r\nBcc: evil@attacker.test\r\nX-Evil: 1' }));
    const { parsed, envelope } = await firstMail(smtp);
    expect(envelope.to).toEqual(['ada@client.test']);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.headers.has('x-evil')).toBe(false);
    expect(parsed.subject).toBe('Task "Trip Bcc: evil@attacker.test X-Evil: 1" will be accepted automatically at 5 Mar 2026, 14:30 UTC');
  });

  it('sends one mail to several recipients', async () => {
    await sut.send(reviewReminder, ['ada@client.test', 'grace@client.test'], values());
    const { envelope } = await firstMail(smtp);
    expect(envelope.to).toEqual(['ada@client.test', 'grace@client.test']);
  });

  it.each(['ada@client.test, evil@attacker.test', 'Ada <ada@client.test>', 'ada@client.test\r\nBcc: evil@attacker.test', 'no-at-sign', ''])(
    'refuses %j as a recipient, sending nothing',
    async (to) => {
      await expect(sut.send(reviewReminder, to, values())).rejects.toThrow(TypeError);
      expect(smtp.messages).toHaveLength(0);
    },
  );

  it('tells a refusal retrying cannot fix (5xx) from one that it may (4xx)', async () => {
    const gone = sut.send(reviewReminder, 'gone@client.test', values());
    await expect(gone).rejects.toBeInstanceOf(MailDeliveryError);
    await expect(gone).rejects.toMatchObject({ permanent: true, responseCode: 550 });
    await expect(sut.send(reviewReminder, 'busy@client.test', values())).rejects.toMatchObject({ permanent: false, responseCode: 451 });
    expect(smtp.messages).toHaveLength(0);
  });

  it('calls an unreachable server a temporary failure', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    const nowhere = new Mailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'no-reply@handoff.test', timeoutMs: 2_000 });
    await expect(nowhere.send(reviewReminder, 'ada@client.test', values())).rejects.toMatchObject({ name: 'MailDeliveryError', permanent: false });
    nowhere.close();
  });

  it('verifies it can greet the server', async () => {
    await expect(sut.verify()).resolves.toBeUndefined();
  });
});

describe('mail templates', () => {
  it('escape what html`` interpolates, and only that', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\`</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;');
    const inner = html`<em>${'<b>'}</em>`;
    expect(html`<p>${inner}${['<i>', html`<br>`]}${null}${undefined}${42}</p>`.markup).toBe('<p><em>&lt;b&gt;</em>&lt;i&gt;<br>42</p>');
    expect(link('https://a.test/?q=<x>', '<label>').markup).toBe('<a href="https://a.test/?q=%3Cx%3E" style="color:#1c7ed6">&lt;label&gt;</a>');
  });

  it('give every mail a text part, one subject line of bounded length, and the layout', () => {
    const t = defineTemplate<{ name: string }>('probe', {
      subject: (v) => `Hi\n${v.name}\t!`,
      text: (v) => `Hello ${v.name}\n\n\n`,
      html: (v) => html`<p>${v.name}</p>`,
    });
    const mail = t.render({ name: 'x'.repeat(300) });
    expect(mail.subject).toHaveLength(200);
    expect(mail.subject).toMatch(/^Hi x+…$/);
    expect(mail.text).toBe(`Hello ${'x'.repeat(300)}\n\n-- \nHandoff\n`);
    expect(mail.html).toContain(`<p>${'x'.repeat(300)}</p>`);
    expect(mail.html).toContain('<meta charset="utf-8">');
  });
});

describe('mail configuration', () => {
  it('defaults to a local mail catcher', () => {
    expect(loadConfig({}).mail).toEqual({ smtpUrl: 'smtp://127.0.0.1:1025', from: 'Handoff <no-reply@handoff.local>' });
    expect(loadConfig({ SMTP_URL: 'smtps://user:pass@mail.example.com:465', MAIL_FROM: 'ops@example.com' }).mail).toEqual({
      smtpUrl: 'smtps://user:pass@mail.example.com:465',
      from: 'ops@example.com',
    });
  });

  it.each([
    [{ SMTP_URL: 'mail.example.com:25' }, 'SMTP_URL: must be a URL starting with smtp: or smtps:'],
    [{ SMTP_URL: 'http://mail.example.com' }, 'SMTP_URL: must be a URL starting with smtp: or smtps:'],
    [{ MAIL_FROM: 'Handoff' }, 'MAIL_FROM: must be an address'],
    [{ MAIL_FROM: 'Evil\r\nBcc: x@y.z <a@b.c>' }, 'MAIL_FROM: must be an address'],
    [{ MAIL_FROM: 'a@b.c, d@e.f' }, 'MAIL_FROM: must be an address'],
  ])('stops at start on %j, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
