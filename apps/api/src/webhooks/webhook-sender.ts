import http from 'node:http';
import https from 'node:https';
import { webhookHeaders } from './signing.js';
import { checkUrlShape, guardedLookup, type TargetPolicy, UndeliverableTargetError } from './target-guard.js';

export interface SenderOptions extends TargetPolicy {
  /** WEBHOOK_TIMEOUT: the whole attempt, connect to last response byte. */
  timeoutMs: number;
}

export interface Delivery {
  url: string;
  /** The event's message id, the same on every retry. */
  id: string;
  body: string;
  /** The endpoint's secrets, current first. */
  secrets: readonly string[];
  /** Unix seconds of this attempt; now by default. */
  timestamp?: number;
}

export type DeliveryOutcome =
  /** 2xx. */
  | 'delivered'
  /** Any other status, redirects included (they are not followed). */
  | 'rejected'
  /** The target is not an address webhooks may go to. */
  | 'refused_target'
  | 'timeout'
  | 'network_error';

export interface DeliveryResult {
  outcome: DeliveryOutcome;
  status?: number;
  durationMs: number;
  /** The first RESPONSE_PREVIEW_BYTES of the answer, for the delivery log. */
  responseBody?: string;
  error?: string;
}

export const RESPONSE_PREVIEW_BYTES = 4096;
// Read past the preview (so the connection can be reused) only this far.
const RESPONSE_DRAIN_BYTES = 64 * 1024;

/**
 * POSTs signed webhook deliveries. Its agents keep connections alive and
 * check, through their lookup, every address a socket connects to; an IP
 * literal (which needs no lookup) is checked before the request. Redirects
 * are answers, never followed, so a target cannot bounce us inward.
 */
export class WebhookSender {
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(private readonly options: SenderOptions) {
    const lookup = guardedLookup(options);
    const common = { keepAlive: true, maxSockets: 64, lookup, timeout: options.timeoutMs };
    this.agents = { http: new http.Agent(common), https: new https.Agent(common) };
  }

  async deliver(delivery: Delivery): Promise<DeliveryResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let url: URL;
    try {
      url = checkUrlShape(delivery.url, this.options).url;
    } catch (err) {
      return { outcome: 'refused_target', durationMs: elapsed(), error: (err as Error).message };
    }
    const timestamp = delivery.timestamp ?? Math.floor(Date.now() / 1000);
    const headers = {
      ...webhookHeaders({ id: delivery.id, timestamp, body: delivery.body }, delivery.secrets),
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(delivery.body)),
      'user-agent': 'Handoff-Webhooks/1',
    };
    const isHttps = url.protocol === 'https:';
    return new Promise<DeliveryResult>((resolve) => {
      const req = (isHttps ? https : http).request(url, {
        method: 'POST',
        headers,
        agent: isHttps ? this.agents.https : this.agents.http,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      req.once('response', (res) => {
        const kept: Buffer[] = [];
        let seen = 0;
        res.on('data', (chunk: Buffer) => {
          if (seen < RESPONSE_PREVIEW_BYTES) kept.push(chunk.subarray(0, RESPONSE_PREVIEW_BYTES - seen));
          seen += chunk.length;
          if (seen > RESPONSE_DRAIN_BYTES) res.destroy();
        });
        const done = () => {
          const status = res.statusCode ?? 0;
          resolve({
            outcome: status >= 200 && status < 300 ? 'delivered' : 'rejected',
            status,
            durationMs: elapsed(),
            responseBody: Buffer.concat(kept).toString('utf8'),
          });
        };
        res.once('end', done);
        res.once('close', done);
      });
      req.once('error', (err: Error & { code?: string }) => {
        const outcome: DeliveryOutcome =
          err instanceof UndeliverableTargetError ? 'refused_target' : err.name === 'AbortError' || err.name === 'TimeoutError' ? 'timeout' : 'network_error';
        resolve({ outcome, durationMs: elapsed(), error: outcome === 'timeout' ? `no answer within ${this.options.timeoutMs} ms` : err.message });
      });
      req.end(delivery.body);
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
