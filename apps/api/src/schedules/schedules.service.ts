import { HttpException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import {
  SCHEDULE_LIMITS,
  formatLocalDate,
  localDateOf,
  minuteOfDayAt,
  nextRuns,
  runsThrough,
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
import { submission, type Submission } from '../tasks/tasks.repository.js';
import type { TemplateVersion } from '../templates/template-version.entity.js';
import { planWith, TemplatesService } from '../templates/templates.service.js';
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

/** Transactions one pass runs at once. */
const RUN_LANES = 4;
/** Schedules locked, planned and submitted together in one transaction. */
const RUN_BATCH = 100;

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
   * pass the instants they need). A batch of schedules is locked for one
   * transaction (FOR UPDATE SKIP LOCKED, so workers share the pass), and only
   * each one's latest due occurrence is run: after an outage the ones before it
   * are counted on that run as missed, not created one by one. The runs' rows,
   * their tasks (one submit statement) and the advances to the next occurrences
   * commit together, and a row's unique (schedule, instant) turns a second
   * attempt into nothing. The template, version, creator and calendar are read
   * once per pass. A batch that fails is run again a schedule at a time, so
   * one schedule that cannot run does not hold up the others.
   */
  async runDue(now = new Date(), max = 5_000): Promise<DueOutcome> {
    const out: DueOutcome = { created: 0, skipped: 0, refused: 0, missed: 0, failed: 0 };
    const failed: string[] = [];
    const reads = new PassReads(this.settings, this.users, this.templates);
    let budget = max;
    let batch = RUN_BATCH;
    // A few lanes at once: each transaction waits on its own round trips, and SKIP LOCKED keeps the lanes apart.
    const lane = async (): Promise<void> => {
      while (budget > 0) {
        const size = Math.min(batch, budget);
        budget -= size;
        let picked: string[] = [];
        try {
          const done = await this.uow.transaction(async (m) => {
            const locked = await this.schedules.lockDue(m, now, size, failed);
            picked = locked.map((x) => x.id);
            return locked.length ? this.runBatch(m, locked, now, reads) : null;
          });
          if (!done) return;
          for (const k of ['created', 'skipped', 'refused', 'missed'] as const) out[k] += done[k];
        } catch (e) {
          if (picked.length === 0) throw e;
          if (picked.length > 1) {
            // Rolled back whole: its schedules are due still, and go one a transaction from here.
            batch = 1;
            budget += size;
            continue;
          }
          failed.push(picked[0]!);
          out.failed++;
          this.logger.warn(`schedule ${picked[0]} did not run: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: RUN_LANES }, lane));
    return out;
  }

  private async runBatch(m: EntityManager, batch: readonly Schedule[], now: Date, reads: PassReads): Promise<Omit<DueOutcome, 'failed'>> {
    const out = { created: 0, skipped: 0, refused: 0, missed: 0 };
    const moves: { id: string; ranAt: Date; nextRunAt: Date | null }[] = [];
    const runs: (PlannedRun & { outcome: 'created' | 'skipped' })[] = [];
    for (const s of [...batch].sort((x, y) => (x.id < y.id ? -1 : 1))) {
      const calendar = await reads.calendar(s.organizationId);
      const { due, next } = runsThrough(s.rule, new Date(s.nextRunAt!.getTime() - 1), now, calendar);
      const latest = due.at(-1);
      // Without one, the calendar moved under it (a holiday added): no occurrence came due, count from now.
      moves.push({ id: s.id, ranAt: latest ?? s.lastRunAt ?? s.nextRunAt!, nextRunAt: next });
      if (!latest) continue;
      const skipped = s.skipAt?.getTime() === latest.getTime();
      runs.push({ id: randomUUID(), schedule: s, calendar, scheduledAt: latest, missed: due.length - 1, outcome: skipped ? 'skipped' : 'created' });
    }
    const fresh = await this.runs.claim(m, runs.map((r) => ({ id: r.id, scheduleId: r.schedule.id, scheduledAt: r.scheduledAt, outcome: r.outcome, missed: r.missed })));
    await this.schedules.advance(m, moves);
    const toSubmit: { run: PlannedRun; sub: Submission }[] = [];
    const refused: { run: PlannedRun; reason: string }[] = [];
    for (const r of runs) {
      if (!fresh.has(r.id)) continue;
      out.missed += r.missed;
      if (r.outcome === 'skipped') {
        out.skipped++;
        continue;
      }
      try {
        toSubmit.push({ run: r, sub: await this.submissionOf(r, reads) });
      } catch (e) {
        const reason = refusalOf(e);
        if (!reason) throw e;
        refused.push({ run: r, reason });
      }
    }
    const settled: { id: string; outcome: 'created' | 'refused'; taskId: string | null; reason: string | null }[] = [];
    const submitted = await this.tasks.submitMany(toSubmit.map((x) => x.sub), m);
    toSubmit.forEach(({ run }, i) => {
      const row = submitted[i]!;
      if (row instanceof HttpException) refused.push({ run, reason: refusalOf(row)! });
      else settled.push({ id: run.id, outcome: 'created', taskId: row.id, reason: null });
    });
    for (const { run, reason } of refused) settled.push({ id: run.id, outcome: 'refused', taskId: null, reason });
    await this.runs.settle(m, settled);
    for (const { run, reason } of refused) await this.schedules.pauseForRefusal(m, run.schedule.id, reason, run.scheduledAt);
    out.created += settled.length - refused.length;
    out.refused += refused.length;
    return out;
  }

  /** The run's task as the templated submit would fill it for the creator, from the pass's reads: a refusal throws as that submit would. */
  private async submissionOf(r: PlannedRun, reads: PassReads): Promise<Submission> {
    const s = r.schedule;
    const creator = await reads.creator(s);
    const version = await reads.version(creator, s.templateId, s.versionId);
    const inputs = withRunDates(version.inputs, s.inputs, r.scheduledAt, r.calendar.timeZone);
    const plan = planWith(version, { versionId: s.versionId ?? undefined, inputs, priority: s.priority ?? undefined }, r.calendar);
    return submission(creator, {
      title: s.name,
      instructions: version.instructions,
      category: version.category,
      priority: plan.priority,
      deadline: plan.deadline.toISOString(),
      template: { templateId: version.templateId, versionId: version.id, version: version.version, inputs: plan.inputs, checklist: version.checklist },
    });
  }
}

/** A due occurrence of a schedule, as a pass plans it before anything is written. */
interface PlannedRun {
  id: string;
  schedule: Schedule;
  calendar: BusinessCalendar;
  scheduledAt: Date;
  missed: number;
}

/**
 * What a pass reads for its runs, each once: an organization's calendar, a
 * creator as a request of theirs would carry them, a template's version as
 * that creator may use it. A thousand runs of one template read each once
 * rather than a thousand times (bench/scenarios/schedule.mjs). A failed read is
 * remembered too, and each run meets its error.
 */
class PassReads {
  private readonly calendars = new Map<string, Promise<BusinessCalendar>>();
  private readonly creators = new Map<string, Promise<AuthUser>>();
  private readonly versions = new Map<string, Promise<TemplateVersion>>();

  constructor(
    private readonly settings: OrganizationSettingsService,
    private readonly users: UsersRepository,
    private readonly templates: TemplatesService,
  ) {}

  calendar(organizationId: string): Promise<BusinessCalendar> {
    return once(this.calendars, organizationId, () => this.settings.calendarOf(organizationId));
  }

  /** The creator; one who can no longer submit for the schedule's organization refuses the run. */
  async creator(s: Schedule): Promise<AuthUser> {
    const u = await once(this.creators, s.createdBy, async () => {
      const found = await this.users.byId(s.createdBy);
      if (!found || found.suspended || found.role !== 'client') throw inactiveCreator();
      return { id: found.id, email: found.email, name: found.name, role: found.role, organizationId: found.organizationId, orgRole: found.orgRole, skills: found.skills, maxConcurrentTasks: found.maxConcurrentTasks };
    });
    if (u.organizationId !== s.organizationId) throw inactiveCreator();
    return u;
  }

  version(creator: AuthUser, templateId: string, versionId: string | null): Promise<TemplateVersion> {
    return once(this.versions, `${creator.id}/${templateId}/${versionId ?? ''}`, () => this.templates.usable(creator, templateId, versionId ?? undefined));
  }
}

const inactiveCreator = () => new StateConflict('the schedule’s creator can no longer submit tasks for the organization', 'inactive');

function once<T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let found = cache.get(key);
  if (!found) {
    found = read();
    found.catch(() => undefined); // each caller awaits it and meets the error there
    cache.set(key, found);
  }
  return found;
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
