import { Anchor, Button, Checkbox, Stack, Text } from '@mantine/core';
import { twoFactorLoginBody, type AuthResponse, type TwoFactorChallenge } from '@handoff/contracts';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/endpoints';
import { ErrorAlert } from '../../components/query-state';
import { CodeField } from './code-field';
import { fieldErrors } from './field-errors';

/** The second sign-in step: a code from the app or a recovery code, and "remember this device". */
export function SecondStepForm({ challenge, onSignedIn, onCancel }: { challenge: TwoFactorChallenge; onSignedIn: (auth: AuthResponse) => void; onCancel: () => void }) {
  const [recovery, setRecovery] = useState(false);
  const [value, setValue] = useState('');
  const [rememberDevice, setRememberDevice] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const mutation = useMutation({ mutationFn: api.loginSecondFactor, onSuccess: onSignedIn });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = { challengeToken: challenge.challengeToken, rememberDevice, ...(recovery ? { recoveryCode: value } : { code: value }) };
    const found = fieldErrors(twoFactorLoginBody, body);
    setErrors(found);
    if (Object.keys(found).length === 0) mutation.mutate(body);
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Two-factor sign-in">
      <Stack gap="md">
        <Text size="sm" c="dimmed">
          {recovery ? 'Enter one of the recovery codes you saved when you turned on two-factor sign-in.' : 'Open your authenticator app and enter the code it shows for Handoff.'}
        </Text>
        {mutation.error && <ErrorAlert title="Could not sign in" error={mutation.error} />}
        <CodeField recovery={recovery} value={value} onChange={setValue} error={recovery ? errors.recoveryCode : errors.code} autoFocus />
        <Checkbox label="Remember this device for 30 days" checked={rememberDevice} onChange={(e) => setRememberDevice(e.currentTarget.checked)} />
        <Button type="submit" loading={mutation.isPending} fullWidth>
          Verify
        </Button>
        <Text size="sm" ta="center">
          <Anchor
            component="button"
            type="button"
            onClick={() => {
              setRecovery(!recovery);
              setValue('');
              setErrors({});
            }}
          >
            {recovery ? 'Use the authenticator app instead' : 'Use a recovery code instead'}
          </Anchor>
          {' · '}
          <Anchor component="button" type="button" onClick={onCancel}>
            Start over
          </Anchor>
        </Text>
      </Stack>
    </form>
  );
}
