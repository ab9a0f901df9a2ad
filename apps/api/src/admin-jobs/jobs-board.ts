import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { errorHandler } from '@bull-board/api/dist/handlers/error.js';
import { FastifyAdapter as BoardAdapter } from '@bull-board/fastify';
import { getQueueToken } from '@nestjs/bullmq';
import { ForbiddenException, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { QUEUES } from '@handoff/contracts';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { bearerToken } from '../common/auth/auth.guard.js';
import { JOBS_BOARD_COOKIE, JOBS_BOARD_PATH } from '../common/auth/jobs-board-cookie.js';
import { SessionService } from '../common/auth/session.service.js';
import { parseCookies } from '../common/http/cookies.js';
import { isInfrastructureDown, toErrorResponse, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../common/http/error-filter.js';
import { securityHeaders } from '../common/http/security-headers.js';
import type { AppConfig } from '../config/config.js';
import { REDIS } from '../redis/redis.module.js';

// The board's page asks a font service for its typeface; the page must load nothing from outside.
const EXTERNAL_STYLESHEET = /<link[^>]+href="https?:\/\/[^"]*"[^>]*>/g;

/**
 * The admins' queue browser (bull-board) at /api/admin/jobs: every BullMQ queue of the app, under its
 * Redis prefix, read-only, since retries go through the audited `POST /api/admin/queues/:queue/retry`.
 * Admins only: a bearer token, or the cookie their sign-in set for a browser following a plain link.
 */
export async function mountJobsBoard(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const sessions = app.get(SessionService);
  const redis = app.get<Redis>(REDIS);
  const queues = QUEUES.map((name) => app.get<Queue>(getQueueToken(name), { strict: false }));
  const board = new BoardAdapter();
  board.setBasePath(JOBS_BOARD_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'Handoff jobs' } },
  });
  // Redis lost mid-request is an outage (503, Retry-After), as everywhere in the API, in the board's own error shape.
  board.setErrorHandler((e: Error) => errorHandler(isInfrastructureDown(e) ? Object.assign(e, { statusCode: 503 }) : e));
  // Its page and assets are a page a browser renders (scripts and styles of its own); its JSON keeps the API's headers.
  const page = securityHeaders(config).document;
  const api = `${JOBS_BOARD_PATH}/api/`;

  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  await fastify.register(
    async (scope) => {
      // Refusals are answered here: a route's errors would go to the board's own handler and shape.
      scope.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
        if (!req.url.startsWith(api)) void reply.headers(page);
        const refused = await refusal(sessions, req).catch((e: unknown) => e);
        if (refused) return sendError(reply, refused);
        // Everything the board shows is in Redis, and BullMQ would wait for it rather than fail: answer at once.
        if (redis.status !== 'ready') return sendError(reply, new ServiceUnavailableException('Redis is unavailable; retry shortly'));
      });
      scope.addHook('onSend', async (_req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
        if (reply.statusCode === 503 && !reply.hasHeader('retry-after')) void reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
        const html = typeof payload === 'string' && String(reply.getHeader('content-type')).startsWith('text/html');
        return html ? payload.replace(EXTERNAL_STYLESHEET, '') : payload;
      });
      await scope.register(board.registerPlugin());
    },
    { prefix: JOBS_BOARD_PATH },
  );
}

/** Why a request may not use the board, or nothing for an admin's. */
async function refusal(sessions: SessionService, req: FastifyRequest): Promise<Error | undefined> {
  const token = bearerToken(req.headers.authorization) ?? parseCookies(req.headers.cookie)[JOBS_BOARD_COOKIE];
  if (!token) return new UnauthorizedException('a bearer token is required');
  const user = await sessions.authenticate(token);
  if (!user) return new UnauthorizedException('the token is invalid or expired');
  if (user.role !== 'admin') return new ForbiddenException('only admin users may do this');
  return undefined;
}

/** The API's error shape, as HttpErrorFilter answers Nest's routes (onSend adds a 503's Retry-After). */
function sendError(reply: FastifyReply, e: unknown): FastifyReply {
  const body = toErrorResponse(e);
  return reply.status(body.statusCode).send(body);
}
