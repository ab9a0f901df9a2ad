import { Alert, Button, Group, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { errorMessage } from '../api/http';
import { useUser } from './auth-context';

/** Until the address is proven, a reminder that a link was mailed, and a way to have it sent again. */
export function VerifyEmailBanner() {
  const user = useUser();
  const resend = useMutation({ mutationFn: api.resendVerification });
  if (user.emailVerifiedAt) return null;
  return (
    <Alert color="yellow" mb="md" data-testid="verify-email-banner">
      <Group justify="space-between" gap="sm">
        <Text size="sm">
          {resend.isSuccess
            ? resend.data.message
            : resend.isError
              ? errorMessage(resend.error)
              : `Confirm your e-mail address: we mailed a link to ${user.email}. Reminders about your work go only to a confirmed address.`}
        </Text>
        <Button size="xs" variant="light" color="yellow" loading={resend.isPending} disabled={resend.isSuccess} onClick={() => resend.mutate()}>
          Send the link again
        </Button>
      </Group>
    </Alert>
  );
}
