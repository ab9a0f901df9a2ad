import { Alert, Anchor, Button, Loader, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { passwordResetConfirmBody, passwordResetRequestBody } from '@handoff/contracts';
import { api } from '../api/endpoints';
import { ErrorAlert } from '../components/query-state';
import { contractResolver, focusFirstError, formLevelError, showServerFieldError } from '../forms/contract-form';
import { AuthCard } from './auth-card';

/** The token of a mailed link: it travels in the fragment (`#token=…`), which no server sees. */
export function tokenFromHash(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? '';
}

const toSignIn = (
  <Anchor component={Link} to="/sign-in">
    Back to sign in
  </Anchor>
);

export function ForgotPasswordPage() {
  const form = useForm({
    initialValues: { email: '' },
    validate: contractResolver(passwordResetRequestBody, { toBody: (v) => ({ email: v.email }), required: { email: 'Enter your email' } }),
  });
  const mutation = useMutation({ mutationFn: api.requestPasswordReset, onError: (e) => showServerFieldError(form, e, ['email']) });
  const formError = formLevelError(mutation.error, ['email']);
  const submit = form.onSubmit((v) => mutation.mutate(v.email.trim()), focusFirstError);

  return (
    <AuthCard title="Reset your password" subtitle="We mail a link to choose a new one." footer={toSignIn}>
      {mutation.isSuccess ? (
        <Alert color="green" role="status" data-testid="reset-requested">
          {mutation.data.message} The link works once, for an hour.
        </Alert>
      ) : (
        <form onSubmit={submit} noValidate aria-label="Reset your password">
          <Stack gap="md">
            {formError && <ErrorAlert title="Could not send the link" error={formError} />}
            <TextInput label="Email" type="email" autoComplete="username" required autoFocus {...form.getInputProps('email')} />
            <Button type="submit" loading={mutation.isPending} fullWidth>
              Mail me a link
            </Button>
          </Stack>
        </form>
      )}
    </AuthCard>
  );
}

export function ResetPasswordPage() {
  const token = tokenFromHash(window.location.hash);
  const form = useForm({
    initialValues: { password: '', repeat: '' },
    validate: (v) => ({
      ...contractResolver(passwordResetConfirmBody, { toBody: () => ({ token, password: v.password }), required: { password: 'Choose a password' } })(v),
      ...(v.repeat !== v.password ? { repeat: 'The two passwords differ' } : {}),
    }),
  });
  const mutation = useMutation({ mutationFn: api.confirmPasswordReset, onError: (e) => showServerFieldError(form, e, ['password']) });
  const formError = formLevelError(mutation.error, ['password']);
  const submit = form.onSubmit((v) => mutation.mutate({ token, password: v.password }), focusFirstError);

  if (!token) {
    return (
      <AuthCard title="Choose a new password" footer={toSignIn}>
        <Alert color="red">This page needs the link from the e-mail. Ask for a new one from the sign-in page.</Alert>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Choose a new password" footer={toSignIn}>
      {mutation.isSuccess ? (
        <Alert color="green" role="status" data-testid="password-reset">
          Your password is changed and every session has ended.{' '}
          <Anchor component={Link} to="/sign-in">
            Sign in
          </Anchor>{' '}
          with the new one.
        </Alert>
      ) : (
        <form onSubmit={submit} noValidate aria-label="Choose a new password">
          <Stack gap="md">
            {formError && <ErrorAlert title="Could not change the password" error={formError} />}
            <PasswordInput label="New password" autoComplete="new-password" required autoFocus {...form.getInputProps('password')} aria-invalid={!!form.errors.password} />
            <PasswordInput label="Repeat the new password" autoComplete="new-password" required {...form.getInputProps('repeat')} aria-invalid={!!form.errors.repeat} />
            <Button type="submit" loading={mutation.isPending} fullWidth>
              Set the password
            </Button>
          </Stack>
        </form>
      )}
    </AuthCard>
  );
}

export function VerifyEmailPage() {
  const token = tokenFromHash(window.location.hash);
  const mutation = useMutation({ mutationFn: api.verifyEmail });
  const sent = useRef(false);
  useEffect(() => {
    // Once per visit: a second POST of the same token would say it was used.
    if (token && !sent.current) {
      sent.current = true;
      mutation.mutate(token);
    }
  }, [token, mutation]);

  return (
    <AuthCard
      title="Confirm your address"
      footer={
        <Anchor component={Link} to="/">
          Go to Handoff
        </Anchor>
      }
    >
      {!token && <Alert color="red">This page needs the link from the e-mail.</Alert>}
      {mutation.isPending && (
        <Stack align="center">
          <Loader size="sm" aria-label="Confirming" />
        </Stack>
      )}
      {mutation.isSuccess && (
        <Alert color="green" role="status" data-testid="email-verified">
          <Text size="sm">{mutation.data.email} is confirmed. Mail about your work goes there.</Text>
        </Alert>
      )}
      {mutation.isError && <ErrorAlert title="Could not confirm the address" error={mutation.error} />}
    </AuthCard>
  );
}
