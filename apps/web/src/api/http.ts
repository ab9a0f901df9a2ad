import type { ErrorBody } from '@handoff/contracts';
import { getAccessToken, refreshAccessToken, storedAccessToken } from './token-store';

/** An error answer from the API, carrying the `{statusCode, error, message}` body. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: Partial<ErrorBody> | null;

  constructor(status: number, body: Partial<ErrorBody> | null, fallback: string) {
    super(body?.message ?? fallback);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

export function isApiError(e: unknown, status?: number): e is ApiError {
  return e instanceof ApiError && (status === undefined || e.status === status);
}

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof TypeError) return 'Cannot reach Handoff. Check your connection and try again.';
  if (e instanceof Error && e.message) return e.message;
  return 'Something went wrong. Please try again.';
}

let unauthorizedHandler: (() => void) | null = null;

/** Registered by the session owner; runs when the API refuses our token, so the user lands on sign-in. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  unauthorizedHandler = handler;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  idempotencyKey?: string;
  signal?: AbortSignal;
}

function withQuery(path: string, query: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'The request was not valid.',
  403: 'You are not allowed to do that.',
  404: 'Not found.',
  409: 'This changed in the meantime. Refresh and try again.',
  413: 'That is too large.',
  422: 'That is not allowed right now.',
  429: 'Too many attempts. Wait a moment and try again.',
};

/**
 * fetch with the access token. An expired token is refreshed first, and a 401
 * to a request that carried one is answered by one refresh and one retry; only
 * when the refresh fails too is the session over.
 */
export async function fetchWithAuth(url: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
  let token = getAccessToken();
  const stored = storedAccessToken();
  if (!token && stored) {
    token = await refreshAccessToken(stored);
    // The session lapsed while the tab was away and the refresh cookie is gone too.
    if (!token) unauthorizedHandler?.();
  }
  const send = (t: string | null) =>
    fetch(url, { ...init, credentials: 'same-origin', headers: { ...init.headers, ...(t ? { Authorization: `Bearer ${t}` } : {}) } });
  let res = await send(token);
  if (res.status === 401 && token) {
    const renewed = await refreshAccessToken(token);
    if (renewed) res = await send(renewed);
    if (res.status === 401) unauthorizedHandler?.();
  }
  return res;
}

/** Resolves with the parsed JSON body, or undefined for 204 No Content. */
export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;

  const res = await fetchWithAuth(withQuery(`/api${path}`, opts.query), {
    method: opts.method ?? 'GET',
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: opts.signal,
  });

  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const body = data && typeof data === 'object' ? (data as Partial<ErrorBody>) : null;
    throw new ApiError(res.status, body, STATUS_TEXT[res.status] ?? `Request failed (${res.status}).`);
  }
  return data as T;
}

export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
