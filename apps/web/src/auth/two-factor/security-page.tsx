import { Badge, Button, Card, Group, PasswordInput, Stack, Switch, Text, Title } from '@mantine/core';
import { disableTwoFactorBody, secondFactorBody, type TwoFactorStatus } from '@handoff/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/endpoints';
import { qk } from '../../api/query-keys';
import { ErrorAlert, QueryState } from '../../components/query-state';
import { PageHeader } from '../../components/page-header';
import { useUser } from '../auth-context';
import { CodeField } from './code-field';
import { EnrolmentFlow } from './enrolment-flow';
import { fieldErrors } from './field-errors';
import { RecoveryCodesPanel } from './recovery-codes-panel';

/** Two-factor sign-in settings: turn it on, new recovery codes, turn it off; a client's organization policy. */
export function SecurityPage() {
  const user = useUser();
  const status = useQuery({ queryKey: qk.twoFactor, queryFn: api.twoFactor });
  return (
    <>
      <PageHeader title="Security" description="How you sign in to Handoff." />
      <Stack gap="lg" maw={640}>
        <QueryState isPending={status.isPending} error={status.error} onRetry={() => void status.refetch()}>
          {status.data && <TwoFactorCard status={status.data} />}
        </QueryState>
        {user.role === 'client' && user.organizationId && <OrganizationPolicyCard organizationId={user.organizationId} />}
      </Stack>
    </>
  );
}

function TwoFactorCard({ status }: { status: TwoFactorStatus }) {
  const client = useQueryClient();
  const refresh = () => void client.invalidateQueries({ queryKey: qk.twoFactor });
  return (
    <Card withBorder padding="lg" radius="md" component="section" aria-label="Two-factor sign-in">
      <Group justify="space-between" mb="md">
        <Title order={2} size="h4">
          Two-factor sign-in
        </Title>
        <Badge color={status.enabled ? 'green' : 'gray'} variant="light" data-testid="two-factor-state">
          {status.enabled ? 'On' : 'Off'}
        </Badge>
      </Group>
      {status.enabled ? (
        <Stack gap="lg">
          <Text size="sm" c="dimmed">
            {status.recoveryCodesLeft} of 10 recovery codes left.
          </Text>
          <NewRecoveryCodes />
          {status.required ? (
            <Text size="sm" c="dimmed">
              {status.requiredBy === 'role' ? 'Admins cannot turn two-factor sign-in off.' : 'Your organization requires two-factor sign-in, so it cannot be turned off.'}
            </Text>
          ) : (
            <DisableForm onDone={refresh} />
          )}
        </Stack>
      ) : (
        <EnrolmentFlow onDone={refresh} />
      )}
    </Card>
  );
}

function NewRecoveryCodes() {
  const client = useQueryClient();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [codes, setCodes] = useState<string[] | null>(null);
  const mutation = useMutation({ mutationFn: api.newRecoveryCodes, onSuccess: (r) => setCodes(r.recoveryCodes) });
  if (codes) {
    return (
      <RecoveryCodesPanel
        codes={codes}
        doneLabel="Done"
        onDone={() => {
          setCodes(null);
          setCode('');
          void client.invalidateQueries({ queryKey: qk.twoFactor });
        }}
      />
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found = fieldErrors(secondFactorBody, { code });
    setError(found.code);
    if (!found.code) mutation.mutate({ code });
  };
  return (
    <form onSubmit={submit} noValidate aria-label="New recovery codes">
      <Stack gap="sm">
        <Title order={3} size="h5">
          New recovery codes
        </Title>
        <Text size="sm" c="dimmed">
          Replaces every code you have now.
        </Text>
        {mutation.error && <ErrorAlert title="Could not make new codes" error={mutation.error} />}
        <CodeField value={code} onChange={setCode} error={error} />
        <Button type="submit" variant="light" loading={mutation.isPending} style={{ alignSelf: 'flex-start' }}>
          Make new recovery codes
        </Button>
      </Stack>
    </form>
  );
}

export function DisableForm({ onDone }: { onDone: () => void }) {
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const mutation = useMutation({ mutationFn: api.disableTwoFactor, onSuccess: onDone });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found = fieldErrors(disableTwoFactorBody, { password, code });
    setErrors(found);
    if (Object.keys(found).length === 0) mutation.mutate({ password, code });
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Turn off two-factor sign-in">
      <Stack gap="sm">
        <Title order={3} size="h5">
          Turn off
        </Title>
        {mutation.error && <ErrorAlert title="Could not turn it off" error={mutation.error} />}
        <PasswordInput label="Password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={errors.password} />
        <CodeField value={code} onChange={setCode} error={errors.code} />
        <Button type="submit" color="red" variant="light" loading={mutation.isPending} style={{ alignSelf: 'flex-start' }}>
          Turn off two-factor sign-in
        </Button>
      </Stack>
    </form>
  );
}

function OrganizationPolicyCard({ organizationId }: { organizationId: string }) {
  const client = useQueryClient();
  const policy = useQuery({ queryKey: qk.twoFactorPolicy(organizationId), queryFn: () => api.twoFactorPolicy(organizationId) });
  const mutation = useMutation({
    mutationFn: (requireTwoFactor: boolean) => api.setTwoFactorPolicy(organizationId, requireTwoFactor),
    onSuccess: (p) => {
      client.setQueryData(qk.twoFactorPolicy(organizationId), p);
      // Requiring it may hold this very account at enrolment.
      void client.invalidateQueries({ queryKey: qk.twoFactor });
    },
  });
  return (
    <Card withBorder padding="lg" radius="md" component="section" aria-label="Organization policy">
      <Title order={2} size="h4" mb="sm">
        Your organization
      </Title>
      <QueryState isPending={policy.isPending} error={policy.error} onRetry={() => void policy.refetch()}>
        <Stack gap="sm">
          {mutation.error && <ErrorAlert title="Could not change the policy" error={mutation.error} />}
          <Switch
            label="Require two-factor sign-in for every member"
            description="Members without it are asked to set it up before they can do anything else."
            checked={policy.data?.requireTwoFactor ?? false}
            disabled={mutation.isPending}
            onChange={(e) => mutation.mutate(e.currentTarget.checked)}
          />
        </Stack>
      </QueryState>
    </Card>
  );
}
