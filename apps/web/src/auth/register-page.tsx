import { LIMITS, type Category, type RegisterBody } from '@handoff/contracts';
import { Anchor, Button, PasswordInput, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/endpoints';
import { ErrorAlert } from '../components/query-state';
import { SkillsField } from '../components/skills-field';
import { AuthCard } from './auth-card';
import { useAuth } from './auth-context';

type AccountRole = 'client' | 'assistant';

export function RegisterPage() {
  const { signIn } = useAuth();
  const [params, setParams] = useSearchParams();
  const role: AccountRole = params.get('role') === 'assistant' ? 'assistant' : 'client';
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [organizationName, setOrganizationName] = useState('');
  const [skills, setSkills] = useState<Category[]>([]);
  const [touched, setTouched] = useState(false);

  const mutation = useMutation({ mutationFn: api.register, onSuccess: signIn });

  const passwordError = touched && password.length > 0 && password.length < LIMITS.passwordMin ? `At least ${LIMITS.passwordMin} characters` : null;
  const skillsError = touched && role === 'assistant' && skills.length === 0 ? 'Pick at least one skill' : null;
  const orgError = touched && role === 'client' && !organizationName.trim() ? 'Your business name is required' : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (password.length < LIMITS.passwordMin) return;
    if (role === 'client' && !organizationName.trim()) return;
    if (role === 'assistant' && skills.length === 0) return;
    const body: RegisterBody =
      role === 'client'
        ? { role, name: name.trim(), email: email.trim(), password, organizationName: organizationName.trim() }
        : { role, name: name.trim(), email: email.trim(), password, skills };
    mutation.mutate(body);
  };

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
          {mutation.error && <ErrorAlert title="Could not create the account" error={mutation.error} />}
          <TextInput label="Name" autoComplete="name" required maxLength={LIMITS.nameMax} value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <TextInput label="Email" type="email" autoComplete="email" required maxLength={LIMITS.emailMax} value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
          <PasswordInput
            label="Password"
            description={`At least ${LIMITS.passwordMin} characters`}
            autoComplete="new-password"
            required
            maxLength={LIMITS.passwordMax}
            value={password}
            error={passwordError}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          {role === 'client' ? (
            <TextInput
              label="Organization name"
              description="Your business; teammates you invite later share its tasks."
              autoComplete="organization"
              required
              maxLength={LIMITS.organizationNameMax}
              value={organizationName}
              error={orgError}
              onChange={(e) => setOrganizationName(e.currentTarget.value)}
            />
          ) : (
            <SkillsField
              description="You will be offered tasks in these categories."
              value={skills}
              onChange={setSkills}
              error={skillsError}
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
