import { Button, Card, Loader, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { errorMessage } from '../api/http';

interface QuoteState {
  isPending: boolean;
  error: unknown;
}

/**
 * The sticky card beside a new task's form: the price (and whatever else the
 * quote says) as the form stands, why there is none yet, and the submit button.
 */
export function QuotePanel({
  title,
  testId,
  idle,
  query,
  unavailable,
  note,
  submitting,
  children,
}: {
  title: string;
  testId: string;
  /** Why nothing can be quoted yet; null once the form can be. */
  idle: string | null;
  query: QuoteState;
  /** "Price unavailable", said before the error. */
  unavailable: string;
  note: string;
  submitting: boolean;
  /** The quote, once there is one. */
  children: ReactNode;
}) {
  return (
    <Card withBorder padding="lg" pos="sticky" top={80}>
      <Stack gap="sm">
        <Title order={2} size="h4">
          {title}
        </Title>
        <div aria-live="polite" data-testid={testId}>
          {idle ? (
            <Text c="dimmed" size="sm">
              {idle}
            </Text>
          ) : query.isPending ? (
            <Loader size="sm" aria-label="Getting a price" />
          ) : query.error ? (
            <Text c="red" size="sm">
              {unavailable}: {errorMessage(query.error)}
            </Text>
          ) : (
            children
          )}
        </div>
        <Text size="xs" c="dimmed">
          {note}
        </Text>
        <Button type="submit" size="md" loading={submitting} fullWidth>
          Submit task
        </Button>
      </Stack>
    </Card>
  );
}
