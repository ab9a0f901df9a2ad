import { LIMITS, registerBody, type Category, type RegisterBody } from '@handoff/contracts';
import { Anchor, Button, PasswordInput, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/endpoints';
import { ErrorAlert } from '../components/query-state';
import { SkillsField } from '../components/skills-field';
import { contractResolver, focusFirstError, formLevelError, showServerFieldError } from '../forms/contract-form';
import { AuthCard } from './auth-card';
import { useAuth } from './auth-context';

type AccountRole = 'client' | 'assistant';
type Values = { name: string; email: string; password: string; organizationName: string; skills: Category[] };

const FIELDS = ['name', 'email', 'password', 'organizationName', 'skills'];

function toBody(role: AccountRole, v: Values) {
  const common = { name: v.name.trim(), email: v.email.trim(), password: v.password };
  return role === 'client'
    ? ({ role, ...common, organizationName: v.organizationName } satisfies RegisterBody)
    : ({ role, ...common, skills: v.skills } satisfies RegisterBody);
}

export function RegisterPage() {
  const { signIn } = useAuth();
  const [params, setParams] = useSearchParams();
  const role: AccountRole = params.get('role') === 'assistant' ? 'assistant' : 'client';
  const form = useForm<Values>({
    initialValues: { name: '', email: '', password: '', organizationName: '', skills: [] },
    // The role's own field is always sent, empty or not, so its error shows with the others rather than after them.
    validate: contractResolver(registerBody, {
      toBody: (v) => toBody(role, v),
      required: {
        name: 'Enter your name',
        email: 'Enter your email',
        password: `At least ${LIMITS.passwordMin} characters`,
        organizationName: 'Your business name is required',
        skills: 'Pick at least one skill',
      },
    }),
  });

  const mutation = useMutation({ mutationFn: api.register, onSuccess: signIn, onError: (e) => showServerFieldError(form, e, FIELDS) });
  const formError = formLevelError(mutation.error, FIELDS);

  const submit = form.onSubmit((v) => {
    const body = toBody(role, v);
    mutation.mutate(body.role === 'client' ? { ...body, organizationName: body.organizationName.trim() } : body);
  }, focusFirstError);

  return (
    <AuthCard
      title="Create an account"
      subtitle={role === 'client' ? 'Hand off tasks to vetted assistants and pay only for work returned on time.' : 'Pick up paid tasks that match your skills, when you are online.'}
      footer={
        <>
          Already have an account?{' '}
          <Anchor component={Link} to="/sign-in">
            Sign in
          </Anchor>
        </>
      }
    >
      <form onSubmit={submit} noValidate aria-label="Create an account">
        <Stack gap="md">
          <div>
            <Text size="sm" fw={500} mb={4} id="account-type-label">
              I am joining as
            </Text>
            <SegmentedControl
              fullWidth
              aria-labelledby="account-type-label"
              value={role}
              onChange={(v) => setParams(v === 'assistant' ? { role: 'assistant' } : {}, { replace: true })}
              data={[
                { value: 'client', label: 'Client' },
                { value: 'assistant', label: 'Assistant' },
              ]}
            />
          </div>
          {formError && <ErrorAlert title="Could not create the account" error={formError} />}
          <TextInput label="Name" autoComplete="name" required maxLength={LIMITS.nameMax} {...form.getInputProps('name')} />
          <TextInput label="Email" type="email" autoComplete="email" required maxLength={LIMITS.emailMax} {...form.getInputProps('email')} />
          <PasswordInput
            label="Password"
            description={`At least ${LIMITS.passwordMin} characters`}
            autoComplete="new-password"
            required
            maxLength={LIMITS.passwordMax}
            {...form.getInputProps('password')}
            // PasswordInput marks its error with data-invalid only; screen readers need aria-invalid.
            aria-invalid={!!form.errors.password}
          />
          {role === 'client' ? (
            <TextInput
              label="Organization name"
              description="Your business; teammates you invite later share its tasks."
              autoComplete="organization"
              required
              maxLength={LIMITS.organizationNameMax}
              {...form.getInputProps('organizationName')}
            />
          ) : (
            <SkillsField
              description="You will be offered tasks in these categories."
              {...form.getInputProps('skills')}
              required
            />
          )}
          <Button type="submit" loading={mutation.isPending} fullWidth>
            Create account
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
