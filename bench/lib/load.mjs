// Load generators and the statistics the report uses.
import http from 'node:http';
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
