import { vi } from 'vitest';

export interface Answer {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A promise holds the response back, for looking at the page while a request is in flight. */
export type Handler = (url: URL, init: RequestInit) => Answer | Promise<Answer>;

/** A fetch that answers by path, recording every call. Undo with `vi.unstubAllGlobals()`. */
export function serve(routes: Record<string, Handler>) {
  const calls: { url: URL; init: RequestInit }[] = [];
  const fetchMock = vi.fn(async (input: string, init: RequestInit = {}) => {
    const url = new URL(input, 'http://localhost');
    calls.push({ url, init });
    const handler = routes[`${init.method ?? 'GET'} ${url.pathname}`];
    if (!handler) return new Response(JSON.stringify({ statusCode: 404, message: 'not found' }), { status: 404 });
    const { status = 200, body, headers } = await handler(url, init);
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
  });
  vi.stubGlobal('fetch', fetchMock);
  return calls;
}
