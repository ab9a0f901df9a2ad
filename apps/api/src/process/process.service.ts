import { Injectable } from '@nestjs/common';
import { PROCESS_WEEKS, type Page, type ProcessStats, type TemplateProcess, type TemplateRun, type TemplateRunsQuery } from '@handoff/contracts';
import type { AuthUser } from '../common/auth/auth-user.js';
import { decodeCursor, toPage } from '../common/http/pagination.js';
import { LedgerRepository } from '../billing/ledger.repository.js';
import { OrganizationSettingsService } from '../organizations/organization-settings.service.js';
import { TasksRepository, type TemplateRunRow, type TemplateStatsRow } from '../tasks/tasks.repository.js';
import { TemplatesService } from '../templates/templates.service.js';

const RECENT_DAYS = 30;
const DAY_MS = 86_400_000;

/** Whose tasks of the template a caller sees, and the zone its months and weeks are cut in. */
interface Scope {
  templateId: string;
  /** null: every organization's (an admin on a starter). */
  organizationId: string | null;
  timeZone: string;
}

const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);

export function toStats(r: TemplateStatsRow): ProcessStats {
  return {
    ...r,
    onTimeRate: share(r.returnedOnTime, r.returned),
    firstPassRate: share(r.acceptedFirstPass, r.accepted),
  };
}

export const toRun = (r: TemplateRunRow): TemplateRun => ({
  id: r.id,
  title: r.title,
  status: r.status,
  templateVersion: r.templateVersion,
  submittedAt: r.createdAt.toISOString(),
  deadline: r.deadline.toISOString(),
  returnedAt: r.returnedAt?.toISOString() ?? null,
  acceptedAt: r.acceptedAt?.toISOString() ?? null,
  onTime: r.onTime,
  priceCents: r.priceCents,
  currency: r.currency.trim(),
});

/** YYYY-MM of an instant in a time zone. */
export function monthIn(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(at);
  return `${parts.find((p) => p.type === 'year')!.value}-${parts.find((p) => p.type === 'month')!.value}`;
}

/** A template's process view: how the tasks made from it went and what they cost, read from the tables that hold them. */
@Injectable()
export class ProcessService {
  constructor(
    private readonly templates: TemplatesService,
    private readonly tasks: TasksRepository,
    private readonly ledger: LedgerRepository,
    private readonly settings: OrganizationSettingsService,
  ) {}

  /** 404 for a template the caller may not read (the templates' own rule); a client sees its organization's tasks, even of a starter. */
  private async scope(user: AuthUser, templateId: string): Promise<Scope> {
    const template = await this.templates.get(user, templateId);
    const organizationId = user.role === 'admin' ? template.organizationId : user.organizationId;
    const timeZone = organizationId ? (await this.settings.calendarOf(organizationId)).timeZone : 'UTC';
    return { templateId, organizationId, timeZone };
  }

  async runs(user: AuthUser, templateId: string, q: TemplateRunsQuery): Promise<Page<TemplateRun>> {
    const s = await this.scope(user, templateId);
    const rows = await this.tasks.ofTemplate(s.templateId, s.organizationId, decodeCursor(q.cursor), q.limit);
    return toPage(rows, q.limit, toRun, (r) => ({ at: r.cursorAt, id: r.id }));
  }

  async process(user: AuthUser, templateId: string, asOf = new Date()): Promise<TemplateProcess> {
    const s = await this.scope(user, templateId);
    const since = new Date(asOf.getTime() - RECENT_DAYS * DAY_MS);
    const [stats, weeks, spend, weeklySpend] = await Promise.all([
      this.tasks.templateStats(s.templateId, s.organizationId, since),
      this.tasks.templateWeeks(s.templateId, s.organizationId, s.timeZone, asOf, PROCESS_WEEKS),
      this.ledger.templateSpendThisMonth(s.templateId, s.organizationId, s.timeZone, asOf),
      this.ledger.templateSpendWeeks(s.templateId, s.organizationId, s.timeZone, asOf, PROCESS_WEEKS),
    ]);
    return {
      templateId,
      timeZone: s.timeZone,
      asOf: asOf.toISOString(),
      stats: { last30Days: toStats(stats.recent), allTime: toStats(stats.all) },
      month: monthIn(asOf, s.timeZone),
      spendThisMonth: spend.map((r) => ({ ...r, netCents: r.chargedCents - r.refundedCents + r.adjustedCents })),
      weeks: weeks.map((w) => ({
        ...w,
        spend: weeklySpend.filter((x) => x.week === w.week).map(({ currency, netCents }) => ({ currency, netCents })),
      })),
    };
  }
}
