import { Box, Button, Code, Image, Stack, Text } from '@mantine/core';
import { confirmTwoFactorBody, type TwoFactorEnrolment } from '@handoff/contracts';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/endpoints';
import { ErrorAlert } from '../../components/query-state';
import { CodeField } from './code-field';
import { fieldErrors } from './field-errors';
import { RecoveryCodesPanel } from './recovery-codes-panel';

/** Turn two-factor sign-in on: scan the QR code, confirm a code, save the recovery codes. */
export function EnrolmentFlow({ onDone }: { onDone: () => void }) {
  const [enrolment, setEnrolment] = useState<TwoFactorEnrolment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | undefined>();
  const start = useMutation({ mutationFn: api.startTwoFactor, onSuccess: setEnrolment });
  const confirm = useMutation({ mutationFn: api.confirmTwoFactor, onSuccess: (r) => setCodes(r.recoveryCodes) });

  if (codes) return <RecoveryCodesPanel codes={codes} onDone={onDone} />;

  if (!enrolment) {
    return (
      <Stack gap="md">
        <Text size="sm">
          Two-factor sign-in asks for a code from an authenticator app (such as Google Authenticator, 1Password or Authy) after your password, so a stolen
          password alone cannot open your account.
        </Text>
        {start.error && <ErrorAlert title="Could not start" error={start.error} />}
        <Button onClick={() => start.mutate()} loading={start.isPending}>
          Set up two-factor sign-in
        </Button>
      </Stack>
    );
  }

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found = fieldErrors(confirmTwoFactorBody, { code });
    setError(found.code);
    if (!found.code) confirm.mutate(code);
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Confirm two-factor sign-in">
      <Stack gap="md">
        <Text size="sm">1. Scan this QR code with your authenticator app.</Text>
        <Box maw={220} style={{ alignSelf: 'center' }}>
          {/* An <img> of the SVG: the markup is never put into the page as HTML. */}
          <Image src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qrSvg)}`} alt="QR code for your authenticator app" w={220} h={220} />
        </Box>
        <Text size="sm">
          Cannot scan? Enter this key: <Code data-testid="totp-secret">{enrolment.secret}</Code>
        </Text>
        <Text size="sm">2. Enter the code the app shows.</Text>
        {confirm.error && <ErrorAlert title="Could not confirm" error={confirm.error} />}
        <CodeField value={code} onChange={setCode} error={error} autoFocus />
        <Button type="submit" loading={confirm.isPending}>
          Turn on
        </Button>
      </Stack>
    </form>
  );
}
