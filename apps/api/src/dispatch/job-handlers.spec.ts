import type { Job } from 'bullmq';
import { runJob, type Handlers } from './job-handlers.js';

const taskId = '6f1c1a52-5d3e-4c39-9b0e-0d6c7c1e2a11';

describe('runJob', () => {
  const seen: unknown[] = [];
  const handlers: Handlers<'timers'> = {
    'timers.claim-expiry': async (p) => seen.push(p),
    'timers.auto-accept': async (p) => seen.push(p),
    'timers.deadline': async (p) => seen.push(p),
    'timers.escalation': async (p) => seen.push(p),
    'timers.review-reminder': async (p) => seen.push(p),
  };
  const job = (name: string, data: unknown) => ({ name, data }) as Job;

  it('hands the parsed payload to the one handler for the name', async () => {
    await runJob('timers', handlers, job('timers.escalation', { taskId, version: 2 }));
    expect(seen).toEqual([{ taskId, version: 2 }]);
  });

  it('fails a bad payload with one line naming the job and each field', async () => {
    await expect(runJob('timers', handlers, job('timers.escalation', { taskId: 'nope', version: -1 }))).rejects.toThrow(
      /^timers\.escalation payload is invalid: taskId .+; version .+>0$/,
    );
    await expect(runJob('timers', handlers, job('timers.deadline', null))).rejects.toThrow(/^timers\.deadline payload is invalid: payload /);
  });

  it('fails a job of another queue or an unknown name', async () => {
    await expect(runJob('timers', handlers, job('dispatch.announce', { tasks: [] }))).rejects.toThrow('no handler for job "dispatch.announce" on queue timers');
    await expect(runJob('timers', handlers, job('timers.nope', {}))).rejects.toThrow('no handler for job "timers.nope" on queue timers');
  });
});
