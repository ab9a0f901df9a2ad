import { Badge, Loader, Tooltip } from '@mantine/core';
import { useLiveStatus } from '../live/live-provider';

/** Tells the user the screen may be stale while the live connection is down. */
export function ReconnectingIndicator() {
  const status = useLiveStatus();
  if (status !== 'disconnected') return null;
  return (
    <Tooltip label="Live updates are paused. What you see may be out of date until the connection returns." withArrow>
      <Badge
        color="orange"
        variant="light"
        size="lg"
        role="status"
        aria-live="polite"
        data-testid="reconnecting"
        tt="none"
        leftSection={<Loader size={10} color="orange" aria-hidden />}
      >
        Reconnecting…
      </Badge>
    </Tooltip>
  );
}
