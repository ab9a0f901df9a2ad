import { parseDomainEvent } from './domain-events.js';

const id = '6f1c2b0e-8a5d-4a63-9a57-1c6a3c0b2d11';
const user = '0b7e3f5a-2c4d-4e8f-9a1b-3c5d7e9f1a2b';
const row = (topic: string, payload: Record<string, unknown>) => ({ id: '42', topic, payload, createdAt: new Date(1_000) });

describe('parseDomainEvent', () => {
  it('reads each event of the map with its typed payload, the row id as its id and the commit time', () => {
    expect(parseDomainEvent(row('task.submitted', { taskId: id, version: 1, actor: { id: user, role: 'client' } }))).toEqual({
      id: '42',
      name: 'task.submitted',
      payload: { taskId: id, version: 1, actor: { id: user, role: 'client' } },
      at: 1_000,
    });
    const moved = { taskId: id, version: 3, action: 'release', from: 'claimed', to: 'queued', actor: { id: user, role: 'assistant' }, prevAssigneeId: user };
    expect(parseDomainEvent(row('task.transitioned', moved))).toMatchObject({ name: 'task.transitioned', payload: moved });
    expect(parseDomainEvent(row('ledger.recorded', { entryId: id }))).toMatchObject({ name: 'ledger.recorded', payload: { entryId: id } });
    expect(parseDomainEvent(row('message.posted', { messageId: user, taskId: id, version: 1 }))).toMatchObject({ name: 'message.posted', payload: { messageId: user, taskId: id, version: 1 } });
    expect(parseDomainEvent(row('message.changed', { messageId: user, taskId: id, version: 3, deleted: true }))).toMatchObject({ name: 'message.changed', payload: { version: 3, deleted: true } });
  });

  it('reads the rows an older version wrote as the events they stand for', () => {
    expect(parseDomainEvent(row('task', { taskId: id, version: 1, action: 'submit', from: null, to: 'queued' }))).toMatchObject({
      name: 'task.submitted',
      payload: { taskId: id, version: 1 },
    });
    expect(parseDomainEvent(row('task', { taskId: id, version: 2, action: 'claim', from: 'queued', to: 'claimed' }))).toMatchObject({
      name: 'task.transitioned',
      payload: { action: 'claim', from: 'queued', to: 'claimed', prevAssigneeId: null },
    });
    expect(parseDomainEvent(row('billing', { entryId: id }))).toMatchObject({ name: 'ledger.recorded', payload: { entryId: id } });
  });

  it('names what is wrong with a row that is not an event', () => {
    expect(parseDomainEvent(row('task.vanished', { taskId: id }))).toEqual({ error: 'unknown event "task.vanished"' });
    expect(parseDomainEvent(row('task.transitioned', { taskId: 'nope', version: 1, action: 'start', from: 'claimed', to: 'on_hold', actor: { id: null, role: 'system' }, prevAssigneeId: null }))).toEqual({
      error: expect.stringMatching(/^task\.transitioned: taskId .*; to /),
    });
    expect(parseDomainEvent(row('ledger.recorded', {}))).toEqual({ error: expect.stringMatching(/^ledger\.recorded: entryId/) });
  });
});
