import type { MailTemplateName } from '@handoff/contracts';
import { z } from 'zod';
import { notificationMail, passwordReset, reviewReminder, verifyEmail, type MailTemplate } from './templates.js';

const at = z.iso.datetime().transform((s) => new Date(s));
const name = z.string().min(1).max(200);
const url = z.url();

/**
 * Each mail a job can name, with the shape of its values as they travel in the job (JSON:
 * times as ISO strings). The worker parses them back, so a job from an older build that no
 * longer fits fails loudly instead of sending a broken mail.
 */
export const MAIL_CATALOG: { [K in MailTemplateName]: { template: MailTemplate<never>; values: z.ZodType } } = {
  'password-reset': { template: passwordReset, values: z.object({ recipientName: name, resetUrl: url, expiresAt: at }) },
  'verify-email': { template: verifyEmail, values: z.object({ recipientName: name, verifyUrl: url, expiresAt: at }) },
  'review-reminder': { template: reviewReminder, values: z.object({ recipientName: name, taskTitle: z.string().max(500), taskUrl: url, autoAcceptAt: at }) },
  notification: { template: notificationMail, values: z.object({ recipientName: name, title: z.string().max(500), body: z.string().max(2000), url }) },
};
