import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { probe, serviceTargets, ServicesError } from '../scripts/services.mjs';

test('defaults point at local PostgreSQL and Redis', () => {
  const t = serviceTargets({});
  assert.deepEqual([t.postgres.host, t.postgres.port, t.redis.host, t.redis.port], ['127.0.0.1', 5432, '127.0.0.1', 6379]);
});

test('reads host and port from the URLs, with the protocol default port', () => {
  const t = serviceTargets({ DATABASE_URL: 'postgresql://u:p@db.internal/handoff', REDIS_URL: 'redis://[::1]:6380/0' });
  assert.equal(t.postgres.host, 'db.internal');
  assert.equal(t.postgres.port, 5432);
  assert.equal(t.redis.host, '::1');
  assert.equal(t.redis.port, 6380);
});

test('an empty variable means the default, as in the API', () => {
  assert.equal(serviceTargets({ DATABASE_URL: '' }).postgres.port, 5432);
});

test('a wrong URL is refused naming the variable', () => {
  assert.throws(() => serviceTargets({ DATABASE_URL: 'mysql://x/y' }), (e) => e instanceof ServicesError && /DATABASE_URL/.test(e.message));
  assert.throws(() => serviceTargets({ REDIS_URL: 'not a url' }), (e) => e instanceof ServicesError && /REDIS_URL/.test(e.message));
});

test('probe tells a listening port from a closed one', async () => {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address();
  assert.equal(await probe('127.0.0.1', port), true);
  await new Promise((r) => server.close(r));
  assert.equal(await probe('127.0.0.1', port, 500), false);
});
