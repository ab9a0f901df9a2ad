// The only place that knows where the access token lives. The short-lived
// access token is kept here; the long-lived refresh token is an HttpOnly,
// SameSite=Strict cookie that scripts never see, which `refreshAccessToken`
// trades for a new access token.

const STORAGE_KEY = 'handoff.session';

interface StoredSession {
  token: string;
  /** Epoch milliseconds after which the API will refuse the token; null when unknown. */
  expiresAt: number | null;
}

type Listener = (token: string | null) => void;
const listeners = new Set<Listener>();

function read(): StoredSession | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<StoredSession>;
    if (typeof parsed.token !== 'string' || !parsed.token) return null;
    return { token: parsed.token, expiresAt: typeof parsed.expiresAt === 'number' ? parsed.expiresAt : null };
  } catch {
    // Storage can be disabled (private mode, quota); behave as signed out rather than crash.
    return null;
  }
}

export function getAccessToken(): string | null {
  const session = read();
  if (!session) return null;
  if (session.expiresAt !== null && session.expiresAt <= Date.now()) return null;
  return session.token;
}

/** Milliseconds until the token expires, or null when unknown or signed out. */
export function tokenExpiresInMs(): number | null {
  const session = read();
  if (!session || session.expiresAt === null) return null;
  return session.expiresAt - Date.now();
}

export function setAccessToken(token: string, expiresInSeconds?: number): void {
  const session: StoredSession = {
    token,
    expiresAt: typeof expiresInSeconds === 'number' && expiresInSeconds > 0 ? Date.now() + expiresInSeconds * 1000 : null,
  };
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  } catch {
    // Ignored on purpose: the in-memory listeners still carry the session for this tab.
  }
  listeners.forEach((l) => l(token));
}

export function clearAccessToken(): void {
  try {
    localStorage.removeItem(STORAGE_KEY);
  } catch {
    // See setAccessToken.
  }
  listeners.forEach((l) => l(null));
}

/** Called when the token changes in this tab or another one (signing out in one tab signs out all). */
export function onAccessTokenChange(listener: Listener): () => void {
  listeners.add(listener);
  const onStorage = (e: StorageEvent) => {
    if (e.key === STORAGE_KEY || e.key === null) listener(getAccessToken());
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

/** The stored token even when it has expired: there was a session worth refreshing. */
export function storedAccessToken(): string | null {
  return read()?.token ?? null;
}

const RENEW_BEFORE_MS = 60_000;

/**
 * How long to wait before renewing a token with `leftMs` to live: until a minute before it
 * lapses, or its last quarter when it lives less than four minutes, so a short lifetime is
 * not renewed in a loop.
 */
export function renewDelayMs(leftMs: number): number {
  return Math.max(0, leftMs - Math.min(RENEW_BEFORE_MS, leftMs / 4));
}

const FRESH_ENOUGH_MS = 30_000;
let inflight: Promise<string | null> | null = null;

/**
 * Trade the refresh cookie for a new access token. One refresh at a time per
 * tab, and across tabs through a Web Lock: the server rotates the refresh token
 * on each use and treats a second use of the old one as theft, so two tabs must
 * never present it together. A tab that waited for the lock first checks
 * whether another tab already stored a newer token.
 */
export function refreshAccessToken(stale: string | null): Promise<string | null> {
  inflight ??= withRefreshLock(async () => {
    const current = read();
    if (current && current.token !== stale && (current.expiresAt === null || current.expiresAt - Date.now() > FRESH_ENOUGH_MS)) {
      return current.token;
    }
    const res = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!res.ok) return null;
    const body = (await res.json()) as { accessToken?: unknown; expiresIn?: unknown };
    if (typeof body.accessToken !== 'string') return null;
    setAccessToken(body.accessToken, typeof body.expiresIn === 'number' ? body.expiresIn : undefined);
    return body.accessToken;
  })
    .catch(() => null)
    .finally(() => {
      inflight = null;
    });
  return inflight;
}

function withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? (locks.request('handoff-refresh', fn) as unknown as Promise<T>) : fn();
}
