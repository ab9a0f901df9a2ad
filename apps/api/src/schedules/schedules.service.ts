import { HttpException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import {
  SCHEDULE_LIMITS,
  formatLocalDate,
  localDateOf,
  minuteOfDayAt,
  nextRuns,
  runsBetween,
  type BusinessCalendar,
  type CreateScheduleBody,
  type ListQuery,
  type ListSchedulesQuery,
  type Page,
  type PauseScheduleBody,
  type RecurrenceRule,
  type ScheduleOccurrence,
  type ScheduleRunView,
  type ScheduleView,
  type UpdateScheduleBody,
} from '@handoff/contracts';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user.js';
import { StateConflict } from '../common/http/errors.js';
import { decodeCursor, toPage } from '../common/http/pagination.js';
import { UnitOfWork } from '../events/unit-of-work.js';
import { OrganizationSettingsService } from '../organizations/organization-settings.service.js';
import { TasksService } from '../tasks/tasks.service.js';
import { TemplatesService } from '../templates/templates.service.js';
import { UsersRepository } from '../users/users.repository.js';
import type { ScheduleRun } from './schedule-run.entity.js';
import type { Schedule } from './schedule.entity.js';
import { ScheduleRunsRepository, type ScheduleRunRow } from './schedule-runs.repository.js';
import { withRunDates } from './run-dates.js';
import { SchedulesRepository, type ScheduleChange } from './schedules.repository.js';

/** What one pass over the due schedules did. */
export interface DueOutcome {
  created: number;
  skipped: number;
  refused: number;
  /** Occurrences that fell due while nothing ran, folded into the runs above. */
  missed: number;
  failed: number;
}

/** Schedules run at once by one pass. */
const RUN_LANES = 4;

const pad = (n: number) => String(n).padStart(2, '0');

/** An instant as the organization's clock shows it: `2026-03-29T03:00`. */
export function localTime(zone: string, at: Date): string {
  const minute = minuteOfDayAt(zone, at.getTime());
  return `${formatLocalDate(localDateOf(zone, at.getTime()))}T${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`;
}

/** A refusal a run's submission met: a client error (inputs, budget, archived template), not an outage. */
export function refusalOf(e: unknown): string | null {
  if (!(e instanceof HttpException)) return null;
  const status = e.getStatus();
  if (status < 400 || status >= 500 || status === 429) return null;
  return `the run's submission was refused (${status}): ${e.message}`;
}

const ruleWindow = (rule: RecurrenceRule) => ({
  runTime: rule.kind === 'cron' ? null : rule.time,
  startsAt: new Date(rule.start),
  endsAt: rule.end === undefined ? null : new Date(rule.end),
});

/**
 * Recurring runs of a template. Clients manage their organization's schedules,
 * admins read every organization's; another organization's does not exist
 * for a caller (404). Each run is submitted as the schedule's creator through
 * the templated submit a client's own request takes.
 */
@Injectable()
export class SchedulesService {
  private readonly logger = new Logger('Schedules');

  constructor(
    private readonly uow: UnitOfWork,
    private readonly schedules: SchedulesRepository,
    private readonly runs: ScheduleRunsRepository,
    private readonly templates: TemplatesService,
    private readonly tasks: TasksService,
    private readonly settings: OrganizationSettingsService,
    private readonly users: UsersRepository,
  ) {}

  private readable(user: AuthUser, s: Schedule | null): Schedule {
    if (!s || (user.role !== 'admin' && s.organizationId !== user.organizationId)) throw new NotFoundException('schedule not found');
    return s;
  }

  private async load(user: AuthUser, id: string): Promise<Schedule> {
    return this.readable(user, await this.schedules.findById(id));
  }

  /** The next runs from where the schedule stands: while paused, what resuming now would run. */
  private upcoming(s: Schedule, calendar: BusinessCalendar, now: Date): ScheduleOccurrence[] {
    let runs: Date[];
    if (s.pausedAt) runs = nextRuns(s.rule, now, SCHEDULE_LIMITS.upcoming, calendar);
    else if (s.nextRunAt) runs = [s.nextRunAt, ...nextRuns(s.rule, s.nextRunAt, SCHEDULE_LIMITS.upcoming - 1, calendar)];
    else runs = [];
    return runs.map((at) => ({ at: at.toISOString(), local: localTime(calendar.timeZone, at), skipped: s.skipAt?.getTime() === at.getTime() }));
  }

  private toView(s: Schedule, calendar: BusinessCalendar, now: Date): ScheduleView {
    return {
      id: s.id,
      organizationId: s.organizationId,
      templateId: s.templateId,
      versionId: s.versionId,
      name: s.name,
      rule: s.rule,
      inputs: s.inputs,
      priority: s.priority,
      state: s.pausedAt ? 'paused' : s.nextRunAt ? 'active' : 'ended',
      paused: s.pausedAt ? { at: s.pausedAt.toISOString(), reason: s.pausedReason ?? 'paused' } : null,
      skipAt: s.skipAt?.toISOString() ?? null,
      nextRunAt: s.nextRunAt?.toISOString() ?? null,
      lastRunAt: s.lastRunAt?.toISOString() ?? null,
      timeZone: calendar.timeZone,
      nextRuns: this.upcoming(s, calendar, now),
      createdBy: s.createdBy,
      createdAt: s.createdAt.toISOString(),
      updatedAt: s.updatedAt.toISOString(),
    };
  }

  private async view(s: Schedule, now = new Date()): Promise<ScheduleView> {
    return this.toView(s, await this.settings.calendarOf(s.organizationId), now);
  }

  /** The template, version, inputs and priority checked as a run would submit them (400/404/409 as the templated submit answers). */
  // Date inputs left empty are checked as a run would fill them (`withRunDates`), with today's date.
  private async check(user: AuthUser, templateId: string, fields: { versionId: string | null; inputs: Record<string, unknown> | null; priority: Schedule['priority'] }) {
    const version = await this.templates.usable(user, templateId, fields.versionId ?? undefined);
    const calendar = await this.settings.calendarOf(user.organizationId!);
    const inputs = withRunDates(version.inputs, fields.inputs, new Date(), calendar.timeZone);
    return this.templates.plan(user, templateId, { versionId: fields.versionId ?? undefined, inputs, priority: fields.priority ?? undefined });
  }

  /** With an Idempotency-Key, `m` is the key's transaction, which the schedule joins. */
  async create(user: AuthUser, body: CreateScheduleBody, now = new Date(), m?: EntityManager): Promise<ScheduleView> {
    const fields = { versionId: body.versionId ?? null, inputs: body.inputs ?? null, priority: body.priority ?? null };
    const plan = await this.check(user, body.templateId, fields);
    const calendar = await this.settings.calendarOf(user.organizationId!);
    const created = await this.schedules.insert({
      id: randomUUID(),
      organizationId: user.organizationId!,
      templateId: body.templateId,
      ...fields,
      name: body.name ?? plan.version.name,
      rule: body.rule,
      ...ruleWindow(body.rule),
      nextRunAt: nextRuns(body.rule, now, 1, calendar)[0] ?? null,
      createdBy: user.id,
    }, m);
    return this.toView(created, calendar, now);
  }

  async list(user: AuthUser, q: ListSchedulesQuery, now = new Date()): Promise<Page<ScheduleView>> {
    const rows = await this.schedules.list(user.role === 'admin' ? null : user.organizationId, q.state, decodeCursor(q.cursor), q.limit);
    const calendars = new Map<string, BusinessCalendar>();
    for (const r of rows) if (!calendars.has(r.organizationId)) calendars.set(r.organizationId, await this.settings.calendarOf(r.organizationId));
    return toPage(rows, q.limit, (r) => this.toView(r, calendars.get(r.organizationId)!, now), (r) => ({ at: r.cursorAt, id: r.id }));
  }

  async get(user: AuthUser, id: string): Promise<ScheduleView> {
    return this.view(await this.load(user, id));
  }

  /** The fields given; a new rule counts its runs from now and drops a skip asked for under the old one. */
  async update(user: AuthUser, id: string, body: UpdateScheduleBody, now = new Date()): Promise<ScheduleView> {
    const s = await this.load(user, id);
    const fields = {
      versionId: body.versionId !== undefined ? body.versionId : s.versionId,
      inputs: body.inputs !== undefined ? body.inputs : s.inputs,
      priority: body.priority !== undefined ? body.priority : s.priority,
    };
    await this.check(user, s.templateId, fields);
    const change: ScheduleChange = { ...fields };
    if (body.name !== undefined) change.name = body.name;
    if (body.rule) {
      const calendar = await this.settings.calendarOf(s.organizationId);
      Object.assign(change, { rule: body.rule, ...ruleWindow(body.rule), nextRunAt: nextRuns(body.rule, now, 1, calendar)[0] ?? null, skipAt: null });
    }
    const moved = await this.schedules.update(id, change);
    if (!moved) throw new NotFoundException('schedule not found');
    return this.view(moved, now);
  }

  async remove(user: AuthUser, id: string): Promise<void> {
    await this.load(user, id);
    await this.schedules.delete(id);
  }

  async pause(user: AuthUser, id: string, body: PauseScheduleBody): Promise<ScheduleView> {
    await this.load(user, id);
    const moved = await this.schedules.pause(id, body.reason ?? 'paused by its owner');
    if (!moved) throw new StateConflict('the schedule is paused already', 'paused');
    return this.view(moved);
  }

  /** Runs again from the next occurrence after now; what fell due while paused is not made up. */
  async resume(user: AuthUser, id: string, now = new Date()): Promise<ScheduleView> {
    const s = await this.load(user, id);
    const calendar = await this.settings.calendarOf(s.organizationId);
    const moved = await this.schedules.resume(id, nextRuns(s.rule, now, 1, calendar)[0] ?? null);
    if (!moved) throw new StateConflict('the schedule is not paused', s.nextRunAt ? 'active' : 'ended');
    return this.toView(moved, calendar, now);
  }

  /** The next run will create no task (recorded as skipped); the ones after run as usual. */
  async skip(user: AuthUser, id: string): Promise<ScheduleView> {
    const s = await this.load(user, id);
    if (s.pausedAt) throw new StateConflict('the schedule is paused; resume it to skip a run', 'paused');
    if (!s.nextRunAt) throw new StateConflict('the schedule has no run left', 'ended');
    const moved = await this.schedules.update(id, { skipAt: s.nextRunAt });
    return this.view(moved!);
  }

  async listRuns(user: AuthUser, id: string, q: ListQuery): Promise<Page<ScheduleRunView>> {
    await this.load(user, id);
    const rows = await this.runs.list(id, decodeCursor(q.cursor), q.limit);
    return toPage(rows, q.limit, toRunView, (r) => ({ at: r.cursorAt, id: r.id }));
  }

  /**
   * Runs every schedule due at `now` (the periodic job passes the clock; tests
   * pass the instants they need). Each schedule is locked for its own
   * transaction (FOR UPDATE SKIP LOCKED, so workers share the pass), and only
   * its latest due occurrence is run: after an outage the ones before it are
   * counted on that run as missed, not created one by one. The run's row, its
   * task and the advance to the next occurrence commit together, and the row's
   * unique (schedule, instant) turns a second attempt into nothing.
   */
  async runDue(now = new Date(), max = 5_000): Promise<DueOutcome> {
    const out: DueOutcome = { created: 0, skipped: 0, refused: 0, missed: 0, failed: 0 };
    const failed: string[] = [];
    let budget = max;
    // A few lanes at once: each transaction waits on its own round trips, and SKIP LOCKED keeps the lanes apart.
    const lane = async (): Promise<void> => {
      while (budget-- > 0) {
        let picked: string | null = null;
        try {
          const done = await this.uow.transaction(async (m) => {
            const s = await this.schedules.lockNextDue(m, now, failed);
            if (!s) return null;
            picked = s.id;
            return this.runOne(m, s, now);
          });
          if (!done) return;
          if (done.outcome !== 'none') out[done.outcome]++;
          out.missed += done.missed;
        } catch (e) {
          if (!picked) throw e;
          // One schedule that cannot run must not hold up the others; the next pass tries it again.
          failed.push(picked);
          out.failed++;
          this.logger.warn(`schedule ${picked} did not run: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: RUN_LANES }, lane));
    return out;
  }

  private async runOne(m: EntityManager, s: Schedule, now: Date): Promise<{ outcome: 'created' | 'skipped' | 'refused' | 'none'; missed: number }> {
    const calendar = await this.settings.calendarOf(s.organizationId);
    const due = runsBetween(s.rule, new Date(s.nextRunAt!.getTime() - 1), now, calendar);
    const next = nextRuns(s.rule, now, 1, calendar)[0] ?? null;
    const latest = due.at(-1);
    if (!latest) {
      // The calendar moved under it (a holiday added): no occurrence came due, count from now.
      await this.schedules.advance(m, s.id, s.lastRunAt ?? s.nextRunAt!, next);
      return { outcome: 'none', missed: 0 };
    }
    const missed = due.length - 1;
    const skipped = s.skipAt?.getTime() === latest.getTime();
    const runId = randomUUID();
    const fresh = await this.runs.claim(m, { id: runId, scheduleId: s.id, scheduledAt: latest, outcome: skipped ? 'skipped' : 'created', missed });
    await this.schedules.advance(m, s.id, latest, next);
    if (!fresh) return { outcome: 'none', missed: 0 };
    if (skipped) return { outcome: 'skipped', missed };
    await m.query('SAVEPOINT schedule_run');
    try {
      const creator = await this.creatorOf(s);
      const version = await this.templates.usable(creator, s.templateId, s.versionId ?? undefined);
      const inputs = withRunDates(version.inputs, s.inputs, latest, calendar.timeZone);
      const task = await this.tasks.submit(creator, { templateId: s.templateId, versionId: s.versionId ?? undefined, inputs, priority: s.priority ?? undefined, title: s.name }, m);
      await m.query('RELEASE SAVEPOINT schedule_run');
      await this.runs.settle(m, runId, 'created', task.id, null);
      return { outcome: 'created', missed };
    } catch (e) {
      const reason = refusalOf(e);
      if (!reason) throw e;
      await m.query('ROLLBACK TO SAVEPOINT schedule_run');
      await this.runs.settle(m, runId, 'refused', null, reason);
      await this.schedules.pauseForRefusal(m, s.id, reason, latest);
      return { outcome: 'refused', missed };
    }
  }

  /** The creator as a request of theirs would carry them; one who can no longer submit refuses the run. */
  private async creatorOf(s: Schedule): Promise<AuthUser> {
    const u = await this.users.byId(s.createdBy);
    if (!u || u.suspended || u.role !== 'client' || u.organizationId !== s.organizationId) {
      throw new StateConflict('the schedule’s creator can no longer submit tasks for the organization', 'inactive');
    }
    return { id: u.id, email: u.email, name: u.name, role: u.role, organizationId: u.organizationId, orgRole: u.orgRole, skills: u.skills, maxConcurrentTasks: u.maxConcurrentTasks };
  }
}

export function toRunView(r: ScheduleRun | ScheduleRunRow): ScheduleRunView {
  return {
    id: r.id,
    scheduleId: r.scheduleId,
    scheduledAt: r.scheduledAt.toISOString(),
    outcome: r.outcome,
    taskId: r.taskId,
    taskStatus: 'taskStatus' in r ? r.taskStatus : null,
    reason: r.reason,
    missed: r.missed,
    createdAt: r.createdAt.toISOString(),
  };
}
