import { Alert, Anchor, Button, Code, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { isTwoFactorChallenge, type TwoFactorChallenge } from '@handoff/contracts';
import { api } from '../api/endpoints';
import { ErrorAlert } from '../components/query-state';
import { AuthCard } from './auth-card';
import { useAuth } from './auth-context';
import { SecondStepForm } from './two-factor/second-step-form';

export function SignInPage() {
  const { signIn, signedOutBecause } = useAuth();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const [challenge, setChallenge] = useState<TwoFactorChallenge | null>(null);

  const mutation = useMutation({ mutationFn: api.login, onSuccess: (r) => (isTwoFactorChallenge(r) ? setChallenge(r) : signIn(r)) });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    mutation.mutate({ email: email.trim(), password });
  };

  if (challenge) {
    return (
      <AuthCard title="Two-factor sign-in">
        <SecondStepForm challenge={challenge} onSignedIn={signIn} onCancel={() => setChallenge(null)} />
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title="Sign in"
      footer={
        <>
          New to Handoff?{' '}
          <Anchor component={Link} to="/register">
            Create an account
          </Anchor>
        </>
      }
    >
      <form onSubmit={submit} noValidate aria-label="Sign in">
        <Stack gap="md">
          {signedOutBecause === 'expired' && !mutation.error && (
            <Alert color="yellow" role="status">
              Your session has ended. Sign in again to continue.
            </Alert>
          )}
          {mutation.error && <ErrorAlert title="Could not sign in" error={mutation.error} />}
          <TextInput
            label="Email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            autoFocus
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          <Button type="submit" loading={mutation.isPending} fullWidth>
            Sign in
          </Button>
          <Alert variant="light" color="blue" icon={<IconInfoCircle size={18} aria-hidden />} data-testid="demo-hint">
            <Text size="sm">
              Trying Handoff locally? Demo logins (admin, clients and assistants) are printed by <Code>npm start</Code>.
            </Text>
          </Alert>
        </Stack>
      </form>
    </AuthCard>
  );
}

