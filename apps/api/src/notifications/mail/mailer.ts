import nodemailer from 'nodemailer';
import type { MailTemplate } from './templates.js';

export interface MailerOptions {
  /** smtp://[user:pass@]host:port (STARTTLS when the server offers it) or smtps://host:465. */
  smtpUrl: string;
  /** "Name <address>" or a bare address. */
  from: string;
  /** Per-step limits, so a silent server fails a send (and its job retries) instead of holding a worker. */
  timeoutMs?: number;
}

export interface SendOptions {
  replyTo?: string;
  /** The same id on every retry of one mail, so a receiver that got it twice can tell. */
  messageId?: string;
}

export interface SentMail {
  messageId: string;
  accepted: string[];
  rejected: string[];
}

/** The SMTP server refused the mail or could not be reached; `permanent` when retrying cannot help (5xx). */
export class MailDeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly responseCode: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MailDeliveryError';
  }
}

// One plain address: a recipient string with a comma or a name in it would let
// a value add recipients of its own.
const ADDRESS = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+\.[^\s@<>,;:"()[\]\\]+$/;

/**
 * Renders a template and sends it over SMTP. The transport pools a couple of
 * connections, so a queue worker sending many mails does not connect for each.
 */
export class Mailer {
  private readonly transport;
  private readonly from: string;

  constructor(options: MailerOptions) {
    const timeout = options.timeoutMs ?? 15_000;
    this.from = options.from;
    this.transport = nodemailer.createTransport({
      url: options.smtpUrl,
      pool: true,
      maxConnections: 2,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 2,
      dnsTimeout: timeout,
    });
  }

  async send<V>(template: MailTemplate<V>, to: string | string[], values: V, options: SendOptions = {}): Promise<SentMail> {
    const recipients = (Array.isArray(to) ? to : [to]).map((address) => {
      if (!ADDRESS.test(address)) throw new TypeError(`not a single e-mail address: ${JSON.stringify(address).slice(0, 100)}`);
      return address;
    });
    if (recipients.length === 0) throw new TypeError('no recipient');
    const mail = template.render(values);
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to: recipients,
        replyTo: options.replyTo,
        messageId: options.messageId,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: {
          // RFC 3834: out-of-office replies and auto-responders leave it alone.
          'Auto-Submitted': 'auto-generated',
          'X-Handoff-Template': template.name,
        },
      });
      return {
        messageId: info.messageId,
        accepted: info.accepted.map(addressOf),
        rejected: info.rejected.map(addressOf),
      };
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      const permanent = code !== undefined && code >= 500 && code < 600;
      throw new MailDeliveryError(`sending "${template.name}" failed: ${(err as Error).message}`, permanent, code, { cause: err });
    }
  }

  /** Connects and greets the server: for a health check, not a start-up gate (mail can wait, the API need not). */
  async verify(): Promise<void> {
    await this.transport.verify();
  }

  close(): void {
    this.transport.close();
  }
}

const addressOf = (a: string | { address: string }) => (typeof a === 'string' ? a : a.address);
