import { createRequire } from 'node:module';
import { eventParser } from './wire.js';

// The adapter's and emitter's stock parser: what an instance not yet upgraded writes and reads.
const notepack = createRequire(import.meta.url)('notepack.io') as { encode(v: unknown): Buffer; decode(b: Buffer): unknown };

// A broadcast as the adapter publishes it, with every kind of value an event carries.
const message = [
  'Ab3_x-',
  {
    type: 2,
    nsp: '/',
    data: [
      'task.updated',
      {
        task: {
          id: '3f1c2a9e-7b1d-4c55-9a3e-1b2c3d4e5f60',
          title: 'Réconcilier les factures — 請求書 🧾',
          instructions: 'x'.repeat(70_000),
          priceCents: 4500,
          ratio: 0.25,
          negative: -1,
          createdAtMs: 1_764_151_200_000,
          assigneeId: null,
          onTime: false,
          escalated: true,
          events: [],
          nested: { deep: [{ a: 1 }, 'two', null] },
        },
      },
    ],
  },
  { rooms: ['org:1', 'admins'], except: [], flags: {} },
];

describe('eventParser', () => {
  it('reads back what it writes', () => {
    expect(eventParser.decode(eventParser.encode(message))).toEqual(message);
  });

  it('writes what an instance on the stock parser reads, and reads what it writes', () => {
    expect(notepack.decode(eventParser.encode(message))).toEqual(message);
    expect(eventParser.decode(notepack.encode(message))).toEqual(message);
  });

  it('writes undefined as the stock parser does, so both read it back as undefined', () => {
    const withUndefined = { flags: { volatile: undefined } };
    expect(notepack.decode(eventParser.encode(withUndefined))).toEqual(withUndefined);
    expect(eventParser.decode(notepack.encode(withUndefined))).toEqual(withUndefined);
  });

  it('gives each message its own bytes: an earlier one is not overwritten by the next', () => {
    const first = eventParser.encode(message);
    const copy = Buffer.from(first);
    for (let i = 0; i < 2_000; i++) eventParser.encode([String(i), { i }, {}]);
    expect(first.equals(copy)).toBe(true);
  });
});
