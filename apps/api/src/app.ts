import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mountJobsBoard } from './admin-jobs/jobs-board.js';
import { AppModule } from './app.module.js';
import { isJsonApi, securityHeaders } from './common/http/security-headers.js';
import { createLogger, lazyRequestLogger, PinoNestLogger } from './common/logging/logger.js';
import type { AppConfig } from './config/config.js';
import { RedisIoAdapter } from './realtime/redis-io.adapter.js';
import { UPLOAD_LIMITS, UPLOAD_ROUTE } from './imports/upload.js';
import { FILE_UPLOAD_ROUTE } from './files/upload.js';
import { LogController } from 'fastify';

export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

function isSpaRoute(method: string | undefined, url: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const path = (url ?? '/').split('?')[0]!;
  if (path === '/api' || path.startsWith('/api/') || path.startsWith('/socket.io/')) return false;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return !last.includes('.');
}

// A request id a client or proxy sends is kept if it is short and plain (UUIDs, nginx's $request_id,
// trace ids); anything else would put a client's arbitrary text into every log line and answer.
const REQUEST_ID = /^[A-Za-z0-9._:=+/@-]{1,128}$/;

export function requestId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const sent = req.headers['x-request-id'];
  return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
}

/** What a body-parsing error says when the API does not read a content type: 415, naming it. */
export class UnsupportedMediaType extends Error {
  readonly statusCode = 415;
  readonly code = 'HANDOFF_UNSUPPORTED_MEDIA_TYPE';
  constructor(contentType: string | undefined) {
    const sent = contentType?.split(';')[0]?.trim().slice(0, 100);
    super(`${sent ? `content-type ${sent}` : 'a body without a content-type'} is not supported; send JSON with content-type: application/json`);
  }
}

/** Believe X-Forwarded-For for this many proxies in front of us, no further. */
function hopsTrusted(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}

/** Build the HTTP application (API, docs, dashboard) without listening, so tests and main share it. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const logger = createLogger(config);
  const webDist = config.webDist ?? DEFAULT_WEB_DIST;
  const serveWeb = config.serveWeb && existsSync(`${webDist}/index.html`);
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    childLoggerFactory: lazyRequestLogger as never,
    bodyLimit: config.bodyLimitBytes,
    // Slowloris: cap how long a request may take to arrive and how long a connection may idle.
    // Node checks the request deadline on an interval (30 s by default), too coarse for short timeouts.
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.connectionTimeoutMs,
    // Between requests Node arms the keep-alive timer instead of the one above: without this an
    // idle connection would stay Fastify's default 72 s whatever CONNECTION_TIMEOUT says.
    keepAliveTimeout: config.connectionTimeoutMs,
    http: {
      headersTimeout: Math.min(60_000, config.requestTimeoutMs),
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(config.requestTimeoutMs / 4))),
    },
    requestIdHeader: false,
    genReqId: requestId as never,
    // A line per request only when debugging; errors are logged by the exception filter regardless.
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
    trustProxy: typeof config.trustProxy === 'number' ? hopsTrusted(config.trustProxy) : config.trustProxy,
    // The dashboard is a single-page app: its client-side routes all load index.html.
    rewriteUrl: (req: { method?: string; url?: string }) => (serveWeb && isSpaRoute(req.method, req.url) ? '/index.html' : (req.url ?? '/')),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(logger),
    // Our own JSON parser is registered below.
    bodyParser: false,
  });
  app.setGlobalPrefix('api');
  app.useWebSocketAdapter(new RedisIoAdapter(app, config));
  if (config.corsOrigins.length) app.enableCors({ origin: config.corsOrigins, credentials: true });

  const fastify = app.getHttpAdapter().getInstance();
  const headers = securityHeaders(config);
  // A callback hook, not an async one: it runs on every request, and a promise per hook shows in the profile.
  fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    void reply.headers(isJsonApi(req.url) ? headers.api : headers.document).header('x-request-id', req.id);
    done();
  });
  // Many HTTP clients send `content-type: application/json` on every request;
  // an empty body on a body-less POST (claim, start, accept…) is not an error.
  // Non-empty bodies go through Fastify's own parser, which also refuses
  // prototype-poisoning keys.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  // JSON is the only body the API reads: Fastify's text/plain parser would hand a string to the
  // validation (a 400 about its shape), and any other type is refused by the catch-all below.
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser('*', (req: FastifyRequest, _body: unknown, done: (e: Error | null) => void) => done(new UnsupportedMediaType(req.headers['content-type'])));
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req: FastifyRequest, body: string | Buffer, done: (e: Error | null, v?: unknown) => void) => {
    if (body === '' || body.length === 0) return done(null, undefined);
    void parseJson(req, body as string, done);
  });
  // A file upload is read by its route as a stream; every other route refuses multipart as before.
  const UPLOAD_ROUTES = [UPLOAD_ROUTE, FILE_UPLOAD_ROUTE];
  await app.register(fastifyMultipart as never, { limits: UPLOAD_LIMITS, throwFileSizeLimit: true });
  fastify.addHook('onRequest', (req: FastifyRequest, _reply: FastifyReply, done: (e?: Error) => void) => {
    const type = req.headers['content-type'];
    if (type !== undefined && /^\s*multipart\/form-data/i.test(type) && !UPLOAD_ROUTES.some((r) => req.method === r.method && req.routeOptions.url === r.url) && req.routeOptions.url !== undefined) {
      return done(new UnsupportedMediaType(type));
    }
    done();
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Handoff API')
      .setDescription('Hand off standardized work to on-demand virtual assistants and pay per task.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  await mountJobsBoard(app, config);

  if (serveWeb) {
    await app.register(fastifyStatic as never, { root: webDist, prefix: '/', wildcard: true, index: ['index.html'] });
  }
  return app;
}
