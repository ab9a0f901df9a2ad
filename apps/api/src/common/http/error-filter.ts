import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { isStalePlan } from '../../database/sql.js';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ErrorResponse {
  statusCode: number;
  error: string;
  message: string;
  [extra: string]: unknown;
}

const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'content-type is not supported; send application/json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'body must not be empty when content-type is application/json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'content-length does not match the body',
};

// SQLSTATE classes and codes that mean "the database is not there right now": connection exceptions (08),
// insufficient resources such as too many connections (53), the server shutting down or ending this
// backend (57P01-57P03), a statement cancelled by its timeout (57014), an idle transaction ended (25P03).
const PG_UNAVAILABLE = /^(08|53|57P0[1-3]|57014|25P03)/;
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
// TypeORM's own errors once the connection under a query runner is gone: node-postgres emits 'error' when
// the server ends an idle connection of an open transaction, TypeORM releases that runner, and the
// transaction's next statement (or its COMMIT) throws one of these instead of a driver error.
const CONNECTION_GONE = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError', 'CannotExecuteNotConnectedError']);
const PG_DOWN_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|terminating connection|Client has encountered a connection error|not currently accepting connections|Client was closed and is not queryable|Cannot use a pool after calling end|Query read timeout|the database system is (starting up|shutting down|in recovery mode)/i;
const REDIS_DOWN_MESSAGE = /enableOfflineQueue|Connection is closed|Redis (is )?(down|unavailable)/i;

/** The error and what it wraps: TypeORM's driverError, a cause, the attempts of an AggregateError (one per address tried). */
function* chain(e: unknown, depth = 0): Generator<Error & { code?: unknown }> {
  if (!(e instanceof Error) || depth > 5) return;
  yield e;
  const inner = e as { driverError?: unknown; cause?: unknown; errors?: unknown };
  yield* chain(inner.driverError, depth + 1);
  yield* chain(inner.cause, depth + 1);
  if (Array.isArray(inner.errors)) for (const x of inner.errors) yield* chain(x, depth + 1);
}

export function isInfrastructureDown(e: unknown): 'postgres' | 'redis' | null {
  for (const err of chain(e)) {
    if (err.name === 'MaxRetriesPerRequestError' || REDIS_DOWN_MESSAGE.test(err.message)) return 'redis';
  }
  for (const err of chain(e)) {
    const code = typeof err.code === 'string' ? err.code : '';
    if (PG_UNAVAILABLE.test(code) || SOCKET_CODES.has(code) || CONNECTION_GONE.has(err.name) || PG_DOWN_MESSAGE.test(err.message)) return 'postgres';
  }
  return null;
}

/** What a client is told to wait before retrying a 503 that does not say: the database is usually back within seconds. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

// A value PostgreSQL cannot take (NUL, invalid Unicode, a time zone offset beyond ±15:59): the schemas refuse
// these first, naming the field; this keeps one that slips past a schema a 400 rather than a 500.
const PG_BAD_VALUE = new Set(['22P02', '22007', '22008', '22009', '22021', '22P05']);

/** Turn anything thrown into the API's error shape; nothing a client sends may become a 500. */
export function toErrorResponse(e: unknown): ErrorResponse {
  if (e instanceof HttpException) {
    const status = e.getStatus();
    const body = e.getResponse();
    if (typeof body === 'object' && body !== null) {
      const b = body as Record<string, unknown>;
      const message = Array.isArray(b.message) ? b.message.join('; ') : String(b.message ?? e.message);
      return { ...b, statusCode: status, error: REASONS[status] ?? String(b.error ?? 'Error'), message };
    }
    return { statusCode: status, error: REASONS[status] ?? 'Error', message: String(body) };
  }
  const down = isInfrastructureDown(e);
  if (down) {
    return {
      statusCode: 503,
      error: REASONS[503]!,
      message: `${down === 'postgres' ? 'the database' : 'Redis'} is unavailable; retry shortly`,
    };
  }
  if (e instanceof QueryFailedError) {
    const code = (e.driverError as { code?: string } | undefined)?.code;
    if (code && PG_BAD_VALUE.has(code)) return { statusCode: 400, error: REASONS[400]!, message: 'a value in the request is malformed' };
    if (code === '23505') return { statusCode: 409, error: REASONS[409]!, message: 'it already exists' };
    if (code === '40001' || code === '40P01') return { statusCode: 409, error: REASONS[409]!, message: 'a concurrent change got there first; retry' };
    // A migration changed a table under a prepared statement of an open transaction; the retry runs it afresh (database/sql.ts).
    if (isStalePlan(e)) return { statusCode: 503, error: REASONS[503]!, message: 'the database schema changed under this request; retry' };
  }
  const fst = e as { code?: string; statusCode?: number; message?: string };
  if (fst.code === 'HANDOFF_UNSUPPORTED_MEDIA_TYPE') return { statusCode: 415, error: REASONS[415]!, message: String(fst.message) };
  if (typeof fst.statusCode === 'number' && fst.statusCode >= 400 && fst.statusCode < 500) {
    const message =
      (fst.code && FASTIFY_MESSAGES[fst.code]) ??
      (fst.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e instanceof SyntaxError ? 'body is not valid JSON' : 'the request is malformed');
    return { statusCode: fst.statusCode, error: REASONS[fst.statusCode] ?? 'Bad Request', message };
  }
  return { statusCode: 500, error: REASONS[500]!, message: 'something went wrong on our side' };
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const req = ctx.getRequest<FastifyRequest>();
    const body = toErrorResponse(exception);
    // A deliberate 503 (Redis down, writes paused) is the system working, not a failure to trace.
    if (body.statusCode >= 500 && !(exception instanceof HttpException)) {
      this.logger.error({ reqId: req.id, err: exception instanceof Error ? { message: exception.message, stack: exception.stack } : exception }, 'request failed');
    }
    // Every 503 says when to come back, whichever part of the system refused.
    const retryAfter = typeof body.retryAfterSeconds === 'number' ? body.retryAfterSeconds : body.statusCode === HttpStatus.SERVICE_UNAVAILABLE ? UNAVAILABLE_RETRY_AFTER_SECONDS : null;
    if ((body.statusCode === HttpStatus.TOO_MANY_REQUESTS || body.statusCode === HttpStatus.SERVICE_UNAVAILABLE) && retryAfter !== null) {
      void reply.header('retry-after', String(retryAfter));
    }
    void reply.status(body.statusCode).send(body);
  }
}
