// Load generators and the statistics the report uses.
import http from 'node:http';
import net from 'node:net';
import autocannon from 'autocannon';

export function median(xs) {
  const s = xs.filter((x) => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile over a sorted Float64Array or array. */
export function percentile(sorted, p) {
  if (!sorted.length) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/**
 * Closed-loop HTTP load with autocannon: `connections` keep-alive sockets,
 * each sending its next request as soon as the last answered. Only 2xx count.
 */
export async function cannon({ url, connections = 50, seconds, method = 'GET', headers, body }) {
  const result = await autocannon({ url, connections, duration: seconds, method, headers, body, timeout: 10 });
  const ok = result['2xx'];
  const bad = result.non2xx + result.errors + result.timeouts;
  return { perSecond: ok / (result.duration || seconds), ok, bad, seconds: result.duration || seconds, latencyP99: result.latency.p99 };
}

/** Run `loops` concurrent async loops until each returns false or the deadline passes. */
export async function closedLoops(loops, step, { deadlineMs = Infinity } = {}) {
  const stopAt = Date.now() + deadlineMs;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: loops }, async (_, i) => {
      while (Date.now() < stopAt) {
        const more = await step(i);
        if (more === false) break;
        done++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { done, seconds, perSecond: done / seconds };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** A minimal keep-alive JSON request; cheaper per call than fetch, so the client costs less CPU than the server it loads. */
export function request(baseUrl, method, path, { token, body } = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const headers = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (data !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(data);
    }
    const req = http.request(`${baseUrl}${path}`, { method, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let json = null;
        if (text) {
          try {
            json = JSON.parse(text);
          } catch {
            json = text;
          }
        }
        resolve({ status: res.statusCode, body: json });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

/**
 * One keep-alive connection that sends the same bodiless request over and
 * over: its bytes are built once and each answer is read only as far as its
 * status and body, the way autocannon loads a server, so the client takes as
 * little of the shared cores as it can (node:http costs it several times more
 * per request). One request in flight at a time; answers need a
 * content-length (or none, as a 204).
 */
export function fixedRequest(baseUrl, method, path, { token } = {}) {
  const url = new URL(baseUrl);
  const bytes = Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: ${url.host}\r\n${token ? `Authorization: Bearer ${token}\r\n` : ''}Content-Length: 0\r\n\r\n`, 'latin1');
  const socket = net.connect(Number(url.port), url.hostname);
  socket.setNoDelay(true);
  let buf = Buffer.alloc(0);
  let pending = null;
  const fail = (e) => {
    const p = pending;
    pending = null;
    p?.reject(e);
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error(`${method} ${path}: connection closed`)));
  socket.on('data', (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0 || !pending) return;
    const head = buf.toString('latin1', 0, end);
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (buf.length < end + 4 + length) return;
    const body = buf.toString('utf8', end + 4, end + 4 + length);
    buf = buf.subarray(end + 4 + length);
    const p = pending;
    pending = null;
    p.resolve({ status: Number(head.slice(9, 12)), body });
  });
  return {
    send: () =>
      new Promise((resolve, reject) => {
        pending = { resolve, reject };
        socket.write(bytes);
      }),
    close: () => socket.destroy(),
  };
}

/** Run `fn` over items with at most `limit` in flight. */
export async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

/**
 * baseline, scenario, baseline, scenario…: the machine's speed drifts by tens
 * of percent between minutes, so each pair shares the same minute.
 */
export async function interleave(pairs, baseline, scenario, { label, format = (v) => v.toFixed(0) } = {}) {
  const b = [];
  const s = [];
  for (let i = 0; i < pairs; i++) {
    b.push(await baseline(i));
    s.push(await scenario(i));
    if (label) console.log(`  ${label} pair ${i + 1}/${pairs}: baseline ${format(b.at(-1))}, scenario ${format(s.at(-1))}`);
  }
  return { baseline: b, scenario: s };
}
