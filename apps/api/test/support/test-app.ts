import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createApp } from '../../src/app.js';
import { AppModule } from '../../src/app.module.js';
import { loadConfig, type AppConfig } from '../../src/config/config.js';
import { cloneTemplate, dropDatabase } from './db.js';
import { HttpClient } from './http.js';

export interface TestApp {
  url: string;
  databaseName: string;
  app: NestFastifyApplication;
  config: AppConfig;
  http: HttpClient;
  /** A direct connection to this file's database, for assertions and fixtures. */
  db: pg.Pool;
  redis: Redis;
  close(): Promise<void>;
}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The API has no default secret; each test process signs with its own, shared by the apps it starts. */
export const TEST_JWT_SECRET = randomBytes(32).toString('hex');
export const TEST_GENERATED_SECRETS = { SECRETS_KEYS: `test:${randomBytes(32).toString('base64')}`, TWO_FACTOR_PEPPER: randomBytes(32).toString('hex') };

/** Defaults that keep tests quiet and out of each other's way; a test can override any of them. */
export function testEnv(name: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    ...TEST_GENERATED_SECRETS,
    DATABASE_URL: '',
    REDIS_URL,
    REDIS_PREFIX: `test:${name}`,
    LOG_LEVEL: 'error',
    SERVE_WEB: 'false',
    DATABASE_POOL_SIZE: '10',
    LOGIN_RATE_LIMIT: '100000',
    LOGIN_ACCOUNT_LIMIT: '100000',
    LOGIN_ADDRESS_LIMIT: '100000',
    REGISTER_RATE_LIMIT: '100000',
    CLAIM_RATE_LIMIT: '100000',
    // Node counts a request's arrival by when its loop reads it: at load 20 a 10,000-row upload and a
    // fuzz burst crossed the 30 s default and were cut off. Slow-client tests set their own.
    REQUEST_TIMEOUT: '120s',
    ...overrides,
  };
}

export async function deleteRedisPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

export interface StartOptions {
  /** Boot against the database (and Redis prefix) of an app started earlier, as a restart would. */
  shareWith?: TestApp;
}

/** Boot the real application on a random port against its own database and Redis prefix. */
export async function startTestApp(overrides: Record<string, string> = {}, opts: StartOptions = {}): Promise<TestApp> {
  const name = opts.shareWith ? opts.shareWith.databaseName : `handoff_t_${randomBytes(5).toString('hex')}`;
  const databaseUrl = opts.shareWith ? opts.shareWith.config.databaseUrl : await cloneTemplate(name);
  const config = loadConfig(testEnv(name, { ...overrides, DATABASE_URL: databaseUrl }));
  const app = await createApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  const db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  // A pool emits the errors of its idle clients, and an 'error' nobody listens for throws. Dropping the
  // database WITH (FORCE) at teardown can end a client still closing, and the throw would fail whichever
  // test runs next in this worker; queries still get their own errors.
  db.on('error', () => undefined);
  // Cleanup talks to the suite's Redis even when the app under test points elsewhere.
  const redis = new Redis(REDIS_URL);
  const owner = !opts.shareWith;
  return {
    url,
    databaseName: name,
    app,
    config,
    http: new HttpClient(url),
    db,
    redis,
    async close() {
      // With Redis unreachable the workers cannot close cleanly; don't let that hold the suite.
      await Promise.race([app.close(), new Promise((r) => setTimeout(r, 5_000).unref())]);
      await db.end();
      if (owner) await deleteRedisPrefix(redis, config.redisPrefix);
      redis.disconnect();
      if (owner) await dropDatabase(name);
    },
  };
}

/** A worker-only process (no HTTP) against the database and Redis prefix of `shareWith`. */
export async function startTestWorker(shareWith: TestApp, overrides: Record<string, string> = {}): Promise<{ ctx: INestApplicationContext; close(): Promise<void> }> {
  const config = loadConfig(testEnv(shareWith.databaseName, { ...overrides, DATABASE_URL: shareWith.config.databaseUrl, HANDOFF_ROLE: 'worker' }));
  const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error'] });
  await ctx.init();
  return { ctx, close: () => Promise.race([ctx.close(), new Promise<void>((r) => setTimeout(r, 5_000).unref())]) };
}
