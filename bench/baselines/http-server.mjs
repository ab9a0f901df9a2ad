// The HTTP floor: node:http answering what GET /api/health/live answers, nothing else.
// HEADERS=api answers with the API's own headers as well: the security set it
// sends with every JSON answer (from the build, so the two cannot drift) and a
// fresh request id, so the bytes on the wire match and only the stack in
// between differs. Without it, only the content type and length go out.
import { randomUUID } from 'node:crypto';
import http from 'node:http';

const body = JSON.stringify({ status: 'ok' });
const plain = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) };
let headers = () => plain;
if (process.env.HEADERS === 'api') {
  const { securityHeaders } = await import(new URL('../../apps/api/dist/common/http/security-headers.js', import.meta.url).href);
  const { api } = securityHeaders({ publicUrl: process.env.PUBLIC_URL ?? 'http://127.0.0.1' });
  // One object, its request id replaced for each answer: the cheapest way to hand node:http the same
  // headers (writeHead reads it synchronously). Spreading a fresh object per answer cost 5 µs more.
  const same = { ...api, 'x-request-id': '', ...plain };
  headers = () => {
    same['x-request-id'] = randomUUID();
    return same;
  };
}
const server = http.createServer((req, res) => {
  res.writeHead(200, headers());
  res.end(body);
});
// The API's keep-alive, as its answers announce it (CONNECTION_TIMEOUT's default).
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
