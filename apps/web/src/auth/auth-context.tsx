import type { AuthResponse, Role, UserView } from '@handoff/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api/endpoints';
import { setUnauthorizedHandler } from '../api/http';
import { qk } from '../api/query-keys';
import {
  clearAccessToken,
  onAccessTokenChange,
  refreshAccessToken,
  renewDelayMs,
  setAccessToken,
  storedAccessToken,
  tokenExpiresInMs,
} from '../api/token-store';

export type SignOutReason = 'signed-out' | 'expired';

interface AuthState {
  token: string | null;
  user: UserView | null;
  /** True while a stored token is being checked against the API. */
  loading: boolean;
  /** Set when the stored token could not be checked for a reason other than being refused. */
  error: unknown;
  retry: () => void;
  /** Why the last session ended, so the sign-in page can say so; cleared by the next sign-in. */
  signedOutBecause: SignOutReason | null;
  signIn: (auth: AuthResponse) => void;
  signOut: (reason?: SignOutReason) => void;
}

const AuthContext = createContext<AuthState | null>(null);

export function homeFor(role: Role): string {
  switch (role) {
    case 'client':
      return '/client/tasks';
    case 'assistant':
      return '/assistant/board';
    case 'admin':
      return '/admin/queue';
  }
}


export function AuthProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  // A stored token past its lifetime still means a session: the first request refreshes it.
  const [token, setToken] = useState<string | null>(() => storedAccessToken());
  const [signedOutBecause, setSignedOutBecause] = useState<SignOutReason | null>(null);

  const me = useQuery({
    queryKey: qk.me,
    queryFn: api.me,
    enabled: !!token,
    staleTime: 60_000,
    retry: (count, e) => !(e && typeof e === 'object' && 'status' in e) && count < 2,
  });

  const signOut = useCallback(
    (reason: SignOutReason = 'signed-out') => {
      // Ends the server-side session and clears the refresh cookie; nothing to wait for.
      if (reason === 'signed-out') void fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
      clearAccessToken();
      setSignedOutBecause(reason);
      setToken(null);
      client.clear();
      void navigate('/sign-in', { replace: true });
    },
    [client, navigate],
  );

  const signIn = useCallback(
    (auth: AuthResponse) => {
      client.clear();
      setSignedOutBecause(null);
      setAccessToken(auth.accessToken, auth.expiresIn);
      client.setQueryData(qk.me, auth.user);
      setToken(auth.accessToken);
    },
    [client],
  );

  useEffect(() => {
    setUnauthorizedHandler(() => signOut('expired'));
    return () => setUnauthorizedHandler(null);
  }, [signOut]);

  // Another tab signed in or out.
  useEffect(
    () =>
      onAccessTokenChange((next) => {
        setToken((current) => {
          if (current && !next) {
            client.clear();
            void navigate('/sign-in', { replace: true });
          }
          return next;
        });
      }),
    [client, navigate],
  );

  // Renew the short-lived access token shortly before it lapses (a minute, or
  // the last quarter of a shorter lifetime), so requests go out with a valid
  // one and the live socket, which is handed each new token, stays open; only
  // when the refresh cookie is refused too is the session over.
  useEffect(() => {
    if (!token) return;
    const left = tokenExpiresInMs();
    if (left === null) return;
    const timer = setTimeout(() => {
      void refreshAccessToken(token).then((renewed) => {
        if (!renewed) signOut('expired');
      });
    }, renewDelayMs(left));
    return () => clearTimeout(timer);
  }, [token, signOut]);

  const value = useMemo<AuthState>(
    () => ({
      token,
      user: token ? (me.data ?? null) : null,
      loading: !!token && me.isPending,
      error: token ? me.error : null,
      retry: () => void me.refetch(),
      signedOutBecause,
      signIn,
      signOut,
    }),
    [token, me, signedOutBecause, signIn, signOut],
  );

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

/** For pages behind the role guard, where a user is always present. */
export function useUser(): UserView {
  const { user } = useAuth();
  if (!user) throw new Error('useUser without a signed-in user');
  return user;
}
