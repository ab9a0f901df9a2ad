import { Writable } from 'node:stream';
import { pino } from 'pino';
import { lazyRequestLogger } from './logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'info', redact: { paths: ['*.password'], remove: true } }, stream);
  const made = { children: 0 };
  const child = logger.child.bind(logger);
  logger.child = ((...args: Parameters<typeof child>) => (made.children++, child(...args))) as typeof logger.child;
  return { lines, logger, made };
}

describe('lazyRequestLogger', () => {
  it('builds no pino child until the request logs', () => {
    const { logger, made } = capture();
    lazyRequestLogger(logger, { reqId: 'r-1' }, {});
    expect(made.children).toBe(0);
  });

  it('logs through one child carrying the request id, with the parent’s level and redaction', async () => {
    const { logger, lines, made } = capture();
    const log = lazyRequestLogger(logger, { reqId: 'r-2' }, {});
    log.debug('not at info');
    log.info({ body: { password: 'hunter2', name: 'x' } }, 'signed in');
    log.warn('again');
    await new Promise((r) => setImmediate(r));
    expect(made.children).toBe(1);
    expect(lines.map((l) => [l.reqId, l.msg])).toEqual([
      ['r-2', 'signed in'],
      ['r-2', 'again'],
    ]);
    expect(lines[0]!.body).toEqual({ name: 'x' });
    expect(log.level).toBe('info');
    expect(log.isLevelEnabled('debug')).toBe(false);
  });
});
