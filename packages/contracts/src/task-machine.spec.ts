import { describe, expect, it } from 'vitest';
import { TASK_STATUSES, type TaskStatus } from './domain.js';
import { allowedActions, planTransition, TASK_ACTIONS, type ActorContext, type TaskAction } from './task-machine.js';

const ORG = 'org-1';
const ME = 'assistant-1';
const task = (status: TaskStatus, assigneeId: string | null = ME) => ({ status, organizationId: ORG, assigneeId });

const owner: ActorContext = { role: 'client', userId: 'client-1', organizationId: ORG };
const otherClient: ActorContext = { role: 'client', userId: 'client-2', organizationId: 'org-2' };
const assignee: ActorContext = { role: 'assistant', userId: ME };
const otherAssistant: ActorContext = { role: 'assistant', userId: 'assistant-2' };
const admin: ActorContext = { role: 'admin', userId: 'admin-1' };
const system: ActorContext = { role: 'system' };

// The whole table: for every action, the states it leaves from and where it lands.
const EXPECTED: Record<TaskAction, { from: TaskStatus[]; to: TaskStatus; who: ActorContext[] }> = {
  claim: { from: ['queued'], to: 'claimed', who: [assignee, otherAssistant] },
  start: { from: ['claimed'], to: 'in_progress', who: [assignee] },
  release: { from: ['claimed'], to: 'queued', who: [assignee] },
  return: { from: ['in_progress'], to: 'returned', who: [assignee] },
  accept: { from: ['returned'], to: 'accepted', who: [owner] },
  revise: { from: ['returned'], to: 'in_progress', who: [owner] },
  cancel: { from: ['queued', 'claimed'], to: 'cancelled', who: [owner, admin] },
  expire: { from: ['claimed'], to: 'queued', who: [system] },
  auto_accept: { from: ['returned'], to: 'accepted', who: [system] },
  dispute: { from: ['returned'], to: 'disputed', who: [owner] },
  resolve_rework: { from: ['disputed'], to: 'in_progress', who: [admin] },
  resolve_refund: { from: ['disputed'], to: 'accepted', who: [admin] },
  resolve_reassign: { from: ['disputed'], to: 'queued', who: [admin] },
};
const EVERYONE = [owner, otherClient, assignee, otherAssistant, admin, system];

describe('task state machine', () => {
  for (const action of TASK_ACTIONS) {
    const rule = EXPECTED[action];
    for (const status of TASK_STATUSES) {
      for (const actor of EVERYONE) {
        const label = `${actor.role}${actor.userId ? `:${actor.userId}` : ''}`;
        it(`${action} by ${label} from ${status}`, () => {
          const sut = planTransition(action, actor, task(status));
          const permitted = rule.who.includes(actor);
          if (!permitted) {
            expect(sut).toMatchObject({ ok: false, reason: 'forbidden' });
          } else if (!rule.from.includes(status)) {
            expect(sut).toMatchObject({ ok: false, reason: 'conflict' });
          } else {
            expect(sut).toEqual({ ok: true, from: status, to: rule.to });
          }
        });
      }
    }
  }

  it('an admin is not an assignee or owner by role alone', () => {
    expect(planTransition('start', admin, task('claimed')).ok).toBe(false);
    expect(planTransition('accept', admin, task('returned')).ok).toBe(false);
  });

  it('lists the buttons a user may press', () => {
    expect(allowedActions(owner, task('queued', null))).toEqual(['cancel']);
    expect(allowedActions(assignee, task('claimed'))).toEqual(['start', 'release']);
    expect(allowedActions(otherAssistant, task('queued', null))).toEqual(['claim']);
    expect(allowedActions(owner, task('returned'))).toEqual(['accept', 'revise', 'dispute']);
    expect(allowedActions(admin, task('disputed'))).toEqual(['resolve_rework', 'resolve_refund', 'resolve_reassign']);
    expect(allowedActions(owner, task('disputed'))).toEqual([]);
    expect(allowedActions(otherClient, task('returned'))).toEqual([]);
  });

  it('explains a conflict in words', () => {
    expect(planTransition('cancel', owner, task('in_progress'))).toMatchObject({ message: 'cannot cancel a task that is in progress' });
  });
});
