import { Alert, Button, Center, Group, Loader } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { errorMessage } from '../api/http';

export function ErrorAlert({ error, title = 'Something went wrong', onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  return (
    <Alert color="red" title={title} icon={<IconAlertTriangle size={18} aria-hidden />} role="alert">
      <Group justify="space-between" gap="sm">
        <span>{errorMessage(error)}</span>
        {onRetry && (
          <Button size="xs" variant="white" color="red" onClick={onRetry}>
            Try again
          </Button>
        )}
      </Group>
    </Alert>
  );
}

export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <Center py={48} role="status" aria-label={label}>
      <Loader size="md" />
    </Center>
  );
}

interface QueryStateProps {
  isPending: boolean;
  error: unknown;
  onRetry?: () => void;
  children: ReactNode;
}

/** Loading spinner, error with retry, or the content: the same three states on every page. */
export function QueryState({ isPending, error, onRetry, children }: QueryStateProps) {
  if (isPending) return <Loading />;
  if (error) return <ErrorAlert error={error} onRetry={onRetry} />;
  return <>{children}</>;
}
