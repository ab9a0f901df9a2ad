import { hasLocalSockets, ownMessagePrefix } from './redis-io.adapter.js';
import { eventParser } from './wire.js';

describe('ownMessagePrefix', () => {
  // Encoded as the adapter publishes: [uid, packet, options].
  const publish = (uid: string) => eventParser.encode([uid, { type: 2, data: ['task.updated', { task: { id: 'x' } }], nsp: '/' }, { rooms: ['org:1'], except: [], flags: {} }]);

  it('is how every message this adapter publishes starts', () => {
    for (const uid of ['Ab3_x-', 'x'.repeat(40)]) {
      const prefix = ownMessagePrefix(uid);
      const msg = publish(uid);
      expect(msg.subarray(0, prefix.length)).toEqual(prefix);
      expect(msg.length).toBeGreaterThan(prefix.length);
    }
  });

  it('does not match a message of another instance', () => {
    const prefix = ownMessagePrefix('Ab3_x-');
    for (const other of ['Ab3_x_', 'Ab3_x', 'Ab3_x--', 'zzzzzz']) expect(publish(other).subarray(0, prefix.length).equals(prefix)).toBe(false);
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
