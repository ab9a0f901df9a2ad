import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, request, setUnauthorizedHandler } from './http';
import { clearAccessToken, getAccessToken, setAccessToken } from './token-store';

function answer(status: number, body?: unknown) {
  return vi.fn(async () => new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
}

afterEach(() => {
  setUnauthorizedHandler(null);
  clearAccessToken();
  vi.unstubAllGlobals();
});

describe('request', () => {
  it('sends the bearer token and surfaces the API message', async () => {
    setAccessToken('tok', 900);
    const fetchMock = answer(400, { statusCode: 400, error: 'Bad Request', message: 'deadline must be in the future' });
    vi.stubGlobal('fetch', fetchMock);
    const err = await request('/tasks', { method: 'POST', body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe('deadline must be in the future');
    const init = (fetchMock.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
  });

  it('signs out on a 401 to an authenticated request, but not on a failed sign-in', async () => {
    const onUnauthorized = vi.fn();
    setUnauthorizedHandler(onUnauthorized);
    vi.stubGlobal('fetch', answer(401, { statusCode: 401, error: 'Unauthorized', message: 'the e-mail or password is wrong' }));
    await expect(request('/auth/login', { method: 'POST', body: {} })).rejects.toThrow('the e-mail or password is wrong');
    expect(onUnauthorized).not.toHaveBeenCalled();

    setAccessToken('expired-on-the-server', 900);
    await expect(request('/tasks')).rejects.toBeInstanceOf(ApiError);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('resolves 204 as undefined', async () => {
    vi.stubGlobal('fetch', answer(204));
    await expect(request('/tasks/claim-next', { method: 'POST' })).resolves.toBeUndefined();
  });

  it('treats an expired token as signed out without asking the API', () => {
    setAccessToken('tok', 900);
    expect(getAccessToken()).toBe('tok');
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 901_000);
    expect(getAccessToken()).toBeNull();
  });

  it('renews the token once on a 401 and retries, sharing one refresh among concurrent requests', async () => {
    setAccessToken('old', 900);
    let refreshes = 0;
    const fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
      if (url === '/api/auth/refresh') {
        refreshes++;
        expect(init?.credentials).toBe('same-origin');
        return new Response(JSON.stringify({ accessToken: 'new', expiresIn: 900 }), { status: 200 });
      }
      const auth = (init?.headers as Record<string, string>).Authorization;
      return auth === 'Bearer new' ? new Response(JSON.stringify({ ok: true }), { status: 200 }) : new Response('{}', { status: 401 });
    });
    vi.stubGlobal('fetch', fetchMock);
    const onUnauthorized = vi.fn();
    setUnauthorizedHandler(onUnauthorized);
    const results = await Promise.all([request('/tasks'), request('/auth/me'), request('/rate-card')]);
    expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(refreshes).toBe(1);
    expect(getAccessToken()).toBe('new');
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('refreshes an expired stored token before sending, and ends the session when the refresh is refused', async () => {
    setAccessToken('tok', 900);
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 901_000);
    const fetchMock = vi.fn(async (url: string) => (url === '/api/auth/refresh' ? new Response('{}', { status: 401 }) : new Response('{}', { status: 200 })));
    vi.stubGlobal('fetch', fetchMock);
    const lapsed = vi.fn();
    setUnauthorizedHandler(lapsed);
    await request('/tasks');
    expect(fetchMock.mock.calls.map((c) => c[0])).toEqual(['/api/auth/refresh', '/api/tasks']);
    expect(lapsed).toHaveBeenCalledTimes(1);
    vi.restoreAllMocks();

    const onUnauthorized = vi.fn();
    setUnauthorizedHandler(onUnauthorized);
    setAccessToken('revoked', 900);
    vi.stubGlobal('fetch', vi.fn(async () => new Response('{}', { status: 401 })));
    await expect(request('/tasks')).rejects.toBeInstanceOf(ApiError);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });
});
