import type { Role } from '@handoff/contracts';
import { Button, Center, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { Loading } from '../components/query-state';
import { ErrorAlert } from '../components/query-state';
import { homeFor, useAuth } from './auth-context';

function SessionProblem({ error, retry }: { error: unknown; retry: () => void }) {
  const { signOut } = useAuth();
  return (
    <Center mih="100vh" p="md">
      <Stack maw={420} w="100%">
        <ErrorAlert title="Cannot load your account" error={error} onRetry={retry} />
        <Text size="sm" c="dimmed" ta="center">
          or{' '}
          <Button variant="subtle" size="compact-sm" onClick={() => signOut()}>
            Sign out
          </Button>
        </Text>
      </Stack>
    </Center>
  );
}

/** Lets a user of `role` through; sends anyone else home or to sign-in. */
export function RequireRole({ role, children }: { role: Role; children: ReactNode }) {
  const { token, user, loading, error, retry } = useAuth();
  const location = useLocation();
  if (!token) return <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
  if (loading) return <Loading label="Loading your account" />;
  if (!user) return error ? <SessionProblem error={error} retry={retry} /> : <Navigate to="/sign-in" replace />;
  if (user.role !== role) return <Navigate to={homeFor(user.role)} replace />;
  return <>{children}</>;
}

/** `/`: the home of the signed-in user's role. */
export function RoleHome() {
  const { token, user, loading, error, retry } = useAuth();
  if (!token) return <Navigate to="/sign-in" replace />;
  if (loading) return <Loading label="Loading your account" />;
  if (!user) return error ? <SessionProblem error={error} retry={retry} /> : <Navigate to="/sign-in" replace />;
  return <Navigate to={homeFor(user.role)} replace />;
}

/** Sign-in and registration are for signed-out visitors; a signed-in user goes where they were headed, or home. */
export function PublicOnly({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const location = useLocation();
  if (user) {
    const from = (location.state as { from?: string } | null)?.from;
    const home = homeFor(user.role);
    return <Navigate to={from && from.startsWith(`/${user.role}/`) ? from : home} replace />;
  }
  return <>{children}</>;
}
