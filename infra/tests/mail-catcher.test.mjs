// `npm start`'s mail catcher: a mail sent to it over SMTP shows on its page, escaped.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import nodemailer from 'nodemailer';
import { startMailCatcher } from '../scripts/mail-catcher.mjs';

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

test('keeps what it is sent and lists it, newest first, as text', async () => {
  const catcher = await startMailCatcher({ smtpPort: await freePort(), httpPort: await freePort() });
  try {
    const transport = nodemailer.createTransport({ url: catcher.smtpUrl });
    await transport.sendMail({ from: 'no-reply@handoff.test', to: 'owner@example.test', subject: 'First', text: 'Hello <script>alert(1)</script>' });
    await transport.sendMail({ from: 'no-reply@handoff.test', to: 'owner@example.test', subject: 'Second', text: 'Again' });
    transport.close();
    const page = await (await fetch(catcher.pageUrl)).text();
    assert.match(page, /Mail sent by Handoff \(2\)/);
    assert.ok(page.indexOf('Second') < page.indexOf('First'), 'newest first');
    assert.ok(page.includes('&#60;script&#62;'), 'the body is escaped');
    assert.ok(!page.includes('<script>'));
  } finally {
    await catcher.close();
  }
});

test('steps aside when the port is taken', async () => {
  const port = await freePort();
  const first = await startMailCatcher({ smtpPort: port, httpPort: await freePort() });
  try {
    assert.equal(await startMailCatcher({ smtpPort: port, httpPort: await freePort() }), null);
  } finally {
    await first.close();
  }
});
