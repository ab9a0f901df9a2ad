import { html, link, type SafeHtml } from './html.js';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** A mail with a plain-text part and an HTML part rendered from the same values. */
export interface MailTemplate<V> {
  readonly name: string;
  render(values: V): RenderedMail;
}

interface TemplateParts<V> {
  subject(values: V): string;
  text(values: V): string;
  /** The body only: the layout around it is added here. */
  html(values: V): SafeHtml;
}

export function defineTemplate<V>(name: string, parts: TemplateParts<V>): MailTemplate<V> {
  return {
    name,
    render(values) {
      return {
        subject: oneLine(parts.subject(values)),
        text: `${parts.text(values).trimEnd()}\n\n-- \nHandoff\n`,
        html: layout(parts.html(values)).markup,
      };
    },
  };
}

/** A subject is one header line: a value with a line break must not start another header. */
function oneLine(subject: string): string {
  const line = subject.replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ').replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

function layout(body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Handoff</title></head>
<body style="margin:0;padding:24px;background:#f8f9fa;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#212529">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px;line-height:1.5">
${body}
</div>
<p style="max-width:560px;margin:16px auto 0;font-size:12px;color:#868e96">Handoff</p>
</body>
</html>`;
}

/** Times in mail are in UTC and say so: the recipient's zone is not known here. */
export function formatUtc(at: Date): string {
  const text = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' }).format(at);
  return `${text} UTC`;
}

export interface ReviewReminderValues {
  recipientName: string;
  taskTitle: string;
  taskUrl: string;
  autoAcceptAt: Date;
}

/** Sent to a client's reviewers a day before a returned task is accepted automatically. */
export const reviewReminder = defineTemplate<ReviewReminderValues>('review-reminder', {
  subject: (v) => `Task "${v.taskTitle}" will be accepted automatically at ${formatUtc(v.autoAcceptAt)}`,
  text: (v) => `Hello ${v.recipientName},

The task "${v.taskTitle}" was returned for your review. Unless it is accepted or sent back
for a revision before ${formatUtc(v.autoAcceptAt)}, it will be accepted automatically
and the assistant paid.

Review it here: ${v.taskUrl}`,
  html: (v) => html`<p>Hello ${v.recipientName},</p>
<p>The task <strong>${v.taskTitle}</strong> was returned for your review. Unless it is accepted or sent back for a revision
before <strong>${formatUtc(v.autoAcceptAt)}</strong>, it will be accepted automatically and the assistant paid.</p>
<p>${link(v.taskUrl, 'Review the task')}</p>`,
});

export interface PasswordResetValues {
  recipientName: string;
  resetUrl: string;
  expiresAt: Date;
}

/** The link that sets a new password; sent only to an address that has an account. */
export const passwordReset = defineTemplate<PasswordResetValues>('password-reset', {
  subject: () => 'Reset your Handoff password',
  text: (v) => `Hello ${v.recipientName},

Someone asked to reset the password of your Handoff account. To choose a new
password, open this link before ${formatUtc(v.expiresAt)}:

${v.resetUrl}

The link works once. If you did not ask for this, ignore this mail: your
password stays as it is.`,
  html: (v) => html`<p>Hello ${v.recipientName},</p>
<p>Someone asked to reset the password of your Handoff account. To choose a new password, open this link before
<strong>${formatUtc(v.expiresAt)}</strong>:</p>
<p>${link(v.resetUrl, 'Choose a new password')}</p>
<p>The link works once. If you did not ask for this, ignore this mail: your password stays as it is.</p>`,
});

export interface VerifyEmailValues {
  recipientName: string;
  verifyUrl: string;
  expiresAt: Date;
}

/** Proves the address is the account holder's, so mail about their work goes where they read it. */
export const verifyEmail = defineTemplate<VerifyEmailValues>('verify-email', {
  subject: () => 'Confirm your e-mail address for Handoff',
  text: (v) => `Hello ${v.recipientName},

Please confirm that this is your address by opening this link before ${formatUtc(v.expiresAt)}:

${v.verifyUrl}`,
  html: (v) => html`<p>Hello ${v.recipientName},</p>
<p>Please confirm that this is your address by opening this link before <strong>${formatUtc(v.expiresAt)}</strong>:</p>
<p>${link(v.verifyUrl, 'Confirm my address')}</p>`,
});

export interface NotificationMailValues {
  recipientName: string;
  title: string;
  body: string;
  url: string;
}

/** An inbox entry sent by mail instead, for a user who chose e-mail for its kind. */
export const notificationMail = defineTemplate<NotificationMailValues>('notification', {
  subject: (v) => v.title,
  text: (v) => `Hello ${v.recipientName},

${v.body}

Open it here: ${v.url}

You chose e-mail for this kind of notice; change that under Notifications in the dashboard.`,
  html: (v) => html`<p>Hello ${v.recipientName},</p>
<p>${v.body}</p>
<p>${link(v.url, 'Open it in Handoff')}</p>
<p style="font-size:12px;color:#868e96">You chose e-mail for this kind of notice; change that under Notifications in the dashboard.</p>`,
});
