import { createRequire } from 'node:module';
import { hasLocalSockets, ownMessagePrefix } from './redis-io.adapter.js';

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

describe('hasLocalSockets', () => {
  const adapter = {
    rooms: new Map([
      ['org:a', new Set(['s1'])],
      ['org:empty', new Set<string>()],
    ]),
    sids: new Map([['s1', new Set(['org:a'])]]),
  };
  const to = (...rooms: string[]) => ({ rooms: new Set(rooms) });

  it('is true when any named room has a socket here', () => {
    expect(hasLocalSockets(adapter, to('admins', 'org:a'))).toBe(true);
  });

  it('is false when no named room has one, an emptied room included', () => {
    expect(hasLocalSockets(adapter, to('admins', 'org:empty', 'user:x'))).toBe(false);
  });

  it('with no rooms named (everyone), is true while any socket is here', () => {
    expect(hasLocalSockets(adapter, to())).toBe(true);
    expect(hasLocalSockets({ rooms: new Map(), sids: new Map() }, to())).toBe(false);
  });
});
