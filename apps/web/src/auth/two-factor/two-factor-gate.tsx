import { Button, Center, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api } from '../../api/endpoints';
import { qk } from '../../api/query-keys';
import { Loading } from '../../components/query-state';
import { useAuth } from '../auth-context';
import { EnrolmentFlow } from './enrolment-flow';

/**
 * Accounts that must have a second factor (admins; members of an organization that requires it) and
 * have none yet see only enrolment: the API answers nothing else for them until they enrol.
 */
export function TwoFactorGate({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const { signOut } = useAuth();
  const status = useQuery({ queryKey: qk.twoFactor, queryFn: api.twoFactor, staleTime: 60_000 });
  if (status.isPending) return <Loading label="Loading your account" />;
  // The API holds such an account at enrolment whatever the page shows; when the status cannot be read, the pages say why.
  if (!status.data || !status.data.required || status.data.enabled) return <>{children}</>;
  return (
    <Center mih="100vh" p="md" bg="var(--mantine-color-gray-0)">
      <Paper withBorder shadow="sm" radius="md" p="xl" maw={520} w="100%" component="main">
        <Stack gap="md">
          <Title order={2} size="h3">
            Set up two-factor sign-in
          </Title>
          <Text size="sm" c="dimmed">
            {status.data.requiredBy === 'role' ? 'Admin accounts must sign in with a second factor.' : 'Your organization requires a second factor for every member.'} Set it up to
            continue.
          </Text>
          <EnrolmentFlow onDone={() => void client.invalidateQueries({ queryKey: qk.twoFactor })} />
          <Button variant="subtle" color="gray" onClick={() => signOut()}>
            Sign out
          </Button>
        </Stack>
      </Paper>
    </Center>
  );
}
