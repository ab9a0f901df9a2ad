// `npm start`'s mail catcher: an SMTP server on loopback that keeps what it is sent, and a page
// that lists it, so a newcomer can read the verification and reset mails without a mail account.
import { createServer } from 'node:http';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

const KEEP = 200;
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Starts both servers; answers their addresses, or null when the SMTP port is taken (another catcher, a real server). */
export async function startMailCatcher({ smtpPort = 1025, httpPort = 1080, host = '127.0.0.1' } = {}) {
  const mails = [];
  const smtp = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 30 * 1024 * 1024,
    onData(stream, session, done) {
      simpleParser(stream).then(
        (m) => {
          mails.unshift({ at: new Date(), to: session.envelope.rcptTo.map((r) => r.address), subject: m.subject ?? '', text: m.text ?? '' });
          mails.length = Math.min(mails.length, KEEP);
          done();
        },
        (e) => done(e),
      );
    },
  });
  const listening = await new Promise((resolve) => {
    smtp.once('error', () => resolve(false));
    smtp.listen(smtpPort, host, () => resolve(true));
  });
  if (!listening) return null;
  const page = createServer((_req, res) => {
    const items = mails
      .map((m) => `<article><h2>${esc(m.subject)}</h2><p>to ${esc(m.to.join(', '))} · ${esc(m.at.toISOString())}</p><pre>${esc(m.text)}</pre></article>`)
      .join('');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'", 'cache-control': 'no-store' });
    res.end(`<!doctype html><meta charset="utf-8"><title>Handoff mail catcher</title>
<style>body{font-family:system-ui,sans-serif;max-width:760px;margin:24px auto;padding:0 16px}article{border-top:1px solid #ddd;padding:8px 0}pre{white-space:pre-wrap}</style>
<h1>Mail sent by Handoff (${mails.length})</h1><p>Newest first; reload for more. Nothing leaves this machine.</p>${items || '<p>Nothing yet.</p>'}`);
  });
  await new Promise((resolve, reject) => {
    page.once('error', reject);
    page.listen(httpPort, host, resolve);
  });
  return {
    smtpUrl: `smtp://${host}:${smtpPort}`,
    pageUrl: `http://${host}:${httpPort}`,
    close: () =>
      Promise.all([
        new Promise((r) => smtp.close(r)),
        new Promise((r) => {
          page.close(r);
          // A browser's keep-alive connection would hold the close open.
          page.closeAllConnections();
        }),
      ]),
  };
}
