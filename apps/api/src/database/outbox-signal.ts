import { Injectable } from '@nestjs/common';

/**
 * Told right after a commit that wrote outbox rows. Whoever relays the outbox
 * listens; the domains that write call `kick()`, so none of them imports the relay.
 */
@Injectable()
export class OutboxSignal {
  private readonly listeners = new Set<() => void>();

  /** Returns the call that stops listening. */
  listen(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  kick(): void {
    for (const listener of this.listeners) listener();
  }
}
