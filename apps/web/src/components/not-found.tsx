import { Anchor } from '@mantine/core';
import { Link } from 'react-router';
import { EmptyState } from './empty-state';

/** Any address no route knows, inside a signed-in area or outside one; `/` leads back to the user's home. */
export function NotFound() {
  return (
    <EmptyState
      title="Page not found"
      action={
        <Anchor component={Link} to="/">
          Go to your dashboard
        </Anchor>
      }
    >
      The address may be mistyped, or the page has moved.
    </EmptyState>
  );
}
