import { createRequire } from 'node:module';
import { ownMessagePrefix } from './redis-io.adapter.js';

// The adapter's own encoder, so the prefix is checked against the bytes it really publishes.
const notepack = createRequire(import.meta.url)('notepack.io') as { encode(v: unknown): Buffer };

describe('ownMessagePrefix', () => {
  const publish = (uid: string) => notepack.encode([uid, { type: 2, data: ['task.updated', { task: { id: 'x' } }], nsp: '/' }, { rooms: ['org:1'], except: [], flags: {} }]);

  it('is how every message this adapter publishes starts', () => {
    const prefix = ownMessagePrefix('Ab3_x-')!;
    const msg = publish('Ab3_x-');
    expect(msg.subarray(0, prefix.length)).toEqual(prefix);
    expect(msg.length).toBeGreaterThan(prefix.length);
  });

  it('does not match a message of another instance', () => {
    const prefix = ownMessagePrefix('Ab3_x-')!;
    for (const other of ['Ab3_x_', 'Ab3_x', 'Ab3_x--', 'zzzzzz']) expect(publish(other).subarray(0, prefix.length).equals(prefix)).toBe(false);
  });

  it('skips nothing for a uid that msgpack would not write as a fixstr', () => {
    expect(ownMessagePrefix('x'.repeat(32))).toBeNull();
  });
});
