import { Writable } from 'node:stream';
import { format, inspect } from 'node:util';
import { pino } from 'pino';
import { Redacted } from './redacted.js';

const PLAIN = 'correct-horse-battery-staple';

describe('Redacted', () => {
  const sut = new Redacted(PLAIN);

  it('shows [redacted] in JSON, alone or nested', () => {
    expect(JSON.stringify(sut)).toBe('"[redacted]"');
    expect(JSON.stringify({ task: { secrets: [sut] } })).toBe('{"task":{"secrets":["[redacted]"]}}');
  });

  it('shows [redacted] to util.inspect, and so to console.log and format', () => {
    expect(inspect(sut)).toBe('[redacted]');
    expect(inspect({ deep: { deeper: { sut } } }, { depth: 10 })).not.toContain(PLAIN);
    expect(inspect({ deep: { sut } }, { showHidden: true, depth: 10 })).not.toContain(PLAIN);
    for (const spec of ['%s', '%o', '%O', '%j', '%d']) expect(format(spec, sut)).not.toContain(PLAIN);
  });

  it('shows [redacted] when turned into a string, in a template or an error message', () => {
    expect(String(sut)).toBe('[redacted]');
    expect(`${sut}`).toBe('[redacted]');
    expect(`${sut as unknown as string}!`).toBe('[redacted]!');
    expect(new Error(`bad value ${sut}`).message).toBe('bad value [redacted]');
  });

  it('is not copied by spreading, Object.entries or structuredClone', () => {
    expect(JSON.stringify({ ...sut })).not.toContain(PLAIN);
    expect(Object.entries(sut)).toEqual([]);
    expect(inspect(structuredClone(sut))).not.toContain(PLAIN);
  });

  it('reaches pino logs as [redacted] whatever the key it is logged under', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    // The API's logger options (common/logging/logger.ts): its redact paths name no secret fields.
    const log = pino({ level: 'info', redact: { paths: ['req.headers.authorization', '*.password'], remove: true } }, stream);
    log.info({ apiKey: sut, body: { login: 'me', token: sut } }, 'revealed');
    log.info(sut, 'as the object');
    log.info('as an argument %s', sut);
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).not.toContain(PLAIN);
    expect(JSON.parse(lines[0]!)).toMatchObject({ apiKey: '[redacted]', body: { login: 'me', token: '[redacted]' } });
  });

  it('hands the value out on reveal() only, and maps without unwrapping', () => {
    expect(sut.reveal()).toBe(PLAIN);
    const length = sut.map((s) => s.length);
    expect(length.reveal()).toBe(PLAIN.length);
    expect(JSON.stringify(length)).toBe('"[redacted]"');
  });
});
