import { BadRequestException, ServiceUnavailableException } from '@nestjs/common';
import { StateConflict, UnprocessableRule } from '../common/http/errors.js';
import { localTime, refusalOf } from './schedules.service.js';

describe('localTime', () => {
  it('reads an instant on the organization’s wall clock, across both of Berlin’s 2026 clock changes', () => {
    expect(localTime('Europe/Berlin', new Date('2026-03-29T00:59:00Z'))).toBe('2026-03-29T01:59');
    expect(localTime('Europe/Berlin', new Date('2026-03-29T01:00:00Z'))).toBe('2026-03-29T03:00');
    expect(localTime('Europe/Berlin', new Date('2026-10-25T00:30:00Z'))).toBe('2026-10-25T02:30');
    expect(localTime('Europe/Berlin', new Date('2026-10-25T01:30:00Z'))).toBe('2026-10-25T02:30');
    expect(localTime('UTC', new Date('2026-12-31T23:59:00Z'))).toBe('2026-12-31T23:59');
  });
});

describe('refusalOf', () => {
  it('names a client error’s status and message: the schedule pauses with it', () => {
    expect(refusalOf(new UnprocessableRule('the organization’s monthly budget is spent'))).toBe("the run's submission was refused (422): the organization’s monthly budget is spent");
    expect(refusalOf(new BadRequestException('inputs.month is required'))).toBe("the run's submission was refused (400): inputs.month is required");
    expect(refusalOf(new StateConflict('the template is archived', 'archived'))).toMatch(/\(409\): the template is archived/);
  });

  it('is no refusal for an outage, a rate limit or a plain error: those are tried again', () => {
    expect(refusalOf(new ServiceUnavailableException('down'))).toBeNull();
    expect(refusalOf(new Error('connection reset'))).toBeNull();
  });
});
