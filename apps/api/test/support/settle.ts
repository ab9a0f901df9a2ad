import { JobsService } from '../../src/dispatch/jobs.service.js';
import { OutboxRelay } from '../../src/events/outbox.relay.js';
import type { LiveClient } from './sockets.js';
import { EVENTUALLY_MS, eventually } from './tasks.js';
import type { TestApp } from './test-app.js';

/**
 * Until no socket has heard anything for `quietMs`: each event that arrives starts the wait again, so
 * on a slow machine it waits longer rather than cutting delivery short. The limit catches a hang.
 */
export async function quiet(sockets: readonly LiveClient[], quietMs = 500, limitMs = EVENTUALLY_MS): Promise<void> {
  const heard = () => sockets.reduce((n, s) => n + s.received.length, 0);
  const until = Date.now() + limitMs;
  let last = heard();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > until) throw new Error(`the sockets never went quiet for ${quietMs} ms within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
    const now = heard();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
}

/**
 * Everything committed so far has gone out: the outbox is relayed and empty, no announce job waits or
 * runs, and the sockets have gone quiet. What a socket has not heard by then, it was not sent.
 */
export async function settled(t: TestApp, sockets: readonly LiveClient[]): Promise<void> {
  await t.app.get(OutboxRelay).flush();
  const dispatch = t.app.get(JobsService).queue('dispatch');
  await eventually(
    async () => {
      const { n } = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox`)).rows[0]!;
      const jobs = await dispatch.getJobCounts('waiting', 'active', 'prioritized');
      return n + Object.values(jobs).reduce((a, b) => a + b, 0);
    },
    (pending) => pending === 0,
    undefined,
    25,
  );
  await quiet(sockets);
}
