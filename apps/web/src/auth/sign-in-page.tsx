import { Alert, Anchor, Button, Code, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { isTwoFactorChallenge, loginBody, type TwoFactorChallenge } from '@handoff/contracts';
import { api } from '../api/endpoints';
import { ErrorAlert } from '../components/query-state';
import { contractResolver, focusFirstError, formLevelError, showServerFieldError } from '../forms/contract-form';
import { AuthCard } from './auth-card';
import { useAuth } from './auth-context';
import { SecondStepForm } from './two-factor/second-step-form';

const FIELDS = ['email', 'password'];

export function SignInPage() {
  const { signIn, signedOutBecause } = useAuth();
  const form = useForm({
    initialValues: { email: '', password: '' },
    validate: contractResolver(loginBody, {
      toBody: (v) => ({ email: v.email, password: v.password }),
      required: { email: 'Enter your email', password: 'Enter your password' },
    }),
  });

  const [challenge, setChallenge] = useState<TwoFactorChallenge | null>(null);

  const mutation = useMutation({
    mutationFn: api.login,
    onSuccess: (r) => (isTwoFactorChallenge(r) ? setChallenge(r) : signIn(r)),
    onError: (e) => showServerFieldError(form, e, FIELDS),
  });
  const formError = formLevelError(mutation.error, FIELDS);

  const submit = form.onSubmit(
    (v) => mutation.mutate({ email: v.email.trim(), password: v.password }),
    focusFirstError,
  );

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
          {formError && <ErrorAlert title="Could not sign in" error={formError} />}
          <TextInput
            label="Email"
            type="email"
            autoComplete="username"
            required
            {...form.getInputProps('email')}
            autoFocus
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            {...form.getInputProps('password')}
            // PasswordInput marks its error with data-invalid only; screen readers need aria-invalid.
            aria-invalid={!!form.errors.password}
          />
          <Button type="submit" loading={mutation.isPending} fullWidth>
            Sign in
          </Button>
          <Anchor component={Link} to="/forgot-password" size="sm" ta="center">
            Forgot your password?
          </Anchor>
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

