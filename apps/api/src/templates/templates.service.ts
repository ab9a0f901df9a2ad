import { BadRequestException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  deadlineFor,
  describeInputIssue,
  validateTemplateInputs,
  type BusinessCalendar,
  type ChecklistStep,
  type ChecklistStepInput,
  type CreateTemplateBody,
  type InputValues,
  type ListQuery,
  type ListTemplatesQuery,
  type Page,
  type PreviewTemplateBody,
  type Priority,
  type TemplateBudgetBody,
  type TemplatePreview,
  type TemplateSummary,
  type TemplateVersionView,
  type TemplateView,
  type UpdateTemplateBody,
} from '@handoff/contracts';
import { randomUUID } from 'node:crypto';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { assertMayManageBudget, BudgetsService } from '../budgets/budgets.service.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { StateConflict, UnprocessableRule } from '../common/http/errors.js';
import { decodeCursor, toPage } from '../common/http/pagination.js';
import { OrganizationSettingsService } from '../organizations/organization-settings.service.js';
import { RateCardService } from '../rate-card/rate-card.service.js';
import { TemplateVersionsRepository } from './template-versions.repository.js';
import type { TemplateVersion } from './template-version.entity.js';
import type { Template } from './template.entity.js';
import { headOf, TemplatesRepository } from './templates.repository.js';

export const toSummary = (t: Template): TemplateSummary => ({
  id: t.id,
  organizationId: t.organizationId,
  starter: t.organizationId === null,
  name: t.name,
  category: t.category,
  defaultPriority: t.defaultPriority,
  version: t.version,
  versionId: t.versionId,
  stepCount: t.stepCount,
  inputCount: t.inputCount,
  deadlineRule: t.deadlineRule,
  archivedAt: t.archivedAt?.toISOString() ?? null,
  monthlyBudgetCents: t.monthlyBudgetCents ?? null,
  createdAt: t.createdAt.toISOString(),
  updatedAt: t.updatedAt.toISOString(),
});

export const toVersionView = (v: TemplateVersion): TemplateVersionView => ({
  id: v.id,
  templateId: v.templateId,
  version: v.version,
  name: v.name,
  category: v.category,
  defaultPriority: v.defaultPriority,
  instructions: v.instructions,
  checklist: v.checklist,
  inputs: v.inputs,
  deadlineRule: v.deadlineRule,
  createdBy: v.createdBy,
  createdAt: v.createdAt.toISOString(),
});

const STARTER_KEY = 'templates_starter_category_key';

function isStarterClash(e: unknown): boolean {
  return e instanceof QueryFailedError && (e.driverError as { constraint?: string }).constraint === STARTER_KEY;
}

/** Turns an active-starter clash into a 409 that says what to do. */
async function oneStarterPerCategory<T>(category: () => string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (isStarterClash(e)) throw new StateConflict(`an active starter template for ${category()} exists already; archive it first`, 'active');
    throw e;
  }
}

/**
 * Step ids stay with their steps across versions: a step written with the id
 * of a step in the version it edits keeps it, a step without one gets a new id.
 */
function resolveSteps(steps: readonly ChecklistStepInput[], previous: readonly ChecklistStep[], version: number | null): ChecklistStep[] {
  const known = new Set(previous.map((s) => s.id));
  return steps.map((s, i) => {
    if (s.id && !known.has(s.id)) {
      throw new BadRequestException(
        version === null
          ? `checklist.${i}.id is not a step of this template; leave it out for a new step`
          : `checklist.${i}.id is not a step of version ${version}; leave it out for a new step`,
      );
    }
    return { id: s.id ?? randomUUID(), title: s.title, detail: s.detail ?? null, required: s.required };
  });
}

export interface TemplatePlanInput {
  versionId?: string;
  inputs?: unknown;
  priority?: Priority;
  submittedAt?: string;
}

/** A task from a template as it would be submitted: see `TemplatesService.plan`. */
export interface TemplatePlan {
  version: TemplateVersion;
  inputs: InputValues;
  priority: Priority;
  submittedAt: Date;
  deadline: Date;
  timeZone: string;
}

export interface TemplateRepositories {
  templates: TemplatesRepository;
  versions: TemplateVersionsRepository;
}

/** The inputs checked against the version: a 400 naming the first bad one. */
function planInputs(version: TemplateVersion, body: TemplatePlanInput): InputValues {
  const checked = validateTemplateInputs(version.inputs, body.inputs);
  if (!checked.ok) throw new BadRequestException(describeInputIssue(checked.issues[0]!));
  return checked.values;
}

/**
 * `TemplatesService.plan` from a version and calendar read already (a
 * schedule pass reads them once for all its runs): no round trip.
 */
export function planWith(version: TemplateVersion, body: TemplatePlanInput, calendar: BusinessCalendar): TemplatePlan {
  const inputs = planInputs(version, body);
  const priority = body.priority ?? version.defaultPriority;
  const submittedAt = body.submittedAt ? new Date(body.submittedAt) : new Date();
  return { version, inputs, priority, submittedAt, deadline: deadlineFor(version.deadlineRule, submittedAt, calendar), timeZone: calendar.timeZone };
}

/** Writes a new template and its first version in the caller's transaction (the API's create and the seed's starters). */
export async function writeNewTemplate(
  m: EntityManager,
  repos: TemplateRepositories,
  input: { organizationId: string | null; createdBy: string | null; body: CreateTemplateBody },
): Promise<{ template: Template; version: TemplateVersion }> {
  const { body } = input;
  const templateId = randomUUID();
  const content = {
    id: randomUUID(),
    templateId,
    version: 1,
    name: body.name,
    category: body.category,
    defaultPriority: body.defaultPriority,
    instructions: body.instructions,
    checklist: resolveSteps(body.checklist, [], null),
    inputs: body.inputs,
    deadlineRule: body.deadlineRule,
    createdBy: input.createdBy,
  };
  const template = await repos.templates.insert(m, { id: templateId, organizationId: input.organizationId, createdBy: input.createdBy, ...headOf({ ...content, createdAt: new Date() }) });
  const version = await repos.versions.insert(m, content);
  return { template, version };
}

const encodeVersionCursor = (version: number) => Buffer.from(`v${version}`).toString('base64url');
function decodeVersionCursor(raw: string | undefined): number | null {
  if (!raw) return null;
  const m = /^v([1-9]\d{0,8})$/.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  if (!m) throw new BadRequestException('cursor is invalid');
  return Number(m[1]);
}

/**
 * The process library: an organization's own templates and the starters shared
 * with all. Clients read both and manage their organization's; admins read all
 * and manage the starters. Another organization's template does not exist for
 * a caller (404).
 */
@Injectable()
export class TemplatesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly templates: TemplatesRepository,
    private readonly versions: TemplateVersionsRepository,
    private readonly rates: RateCardService,
    private readonly settings: OrganizationSettingsService,
    private readonly budgets: BudgetsService,
  ) {}

  private readable(user: AuthUser, t: Template | null): Template {
    if (!t) throw new NotFoundException('template not found');
    if (user.role === 'admin') return t;
    if (user.role === 'client' && (t.organizationId === null || t.organizationId === user.organizationId)) return t;
    throw new NotFoundException('template not found');
  }

  private writable(user: AuthUser, t: Template | null): Template {
    const found = this.readable(user, t);
    if (found.organizationId === null && user.role !== 'admin') throw new ForbiddenException('starter templates are managed by admins; copy one into your organization to change it');
    if (found.organizationId !== null && user.role !== 'client') throw new ForbiddenException('an organization’s templates are managed by its clients');
    return found;
  }

  private async view(t: Template, m: EntityManager = this.ds.manager): Promise<TemplateView> {
    const current = await this.versions.findById(t.id, t.versionId, m);
    return { ...toSummary(t), current: toVersionView(current!) };
  }

  async list(user: AuthUser, q: ListTemplatesQuery): Promise<Page<TemplateSummary>> {
    const rows = await this.templates.list({
      organizationId: user.role === 'admin' ? null : user.organizationId,
      scope: q.scope,
      archived: q.archived,
      category: q.category,
      cursor: decodeCursor(q.cursor),
      limit: q.limit,
    });
    return toPage(rows, q.limit, toSummary, (r) => ({ at: r.cursorAt, id: r.id }));
  }

  async get(user: AuthUser, id: string): Promise<TemplateView> {
    return this.view(this.readable(user, await this.templates.findById(id)));
  }

  /** A client's template belongs to its organization; an admin's is a starter for every organization. */
  async create(user: AuthUser, body: CreateTemplateBody, m?: EntityManager): Promise<TemplateView> {
    const organizationId = user.role === 'admin' ? null : user.organizationId;
    const work = async (tx: EntityManager) => {
      const { template, version } = await writeNewTemplate(tx, { templates: this.templates, versions: this.versions }, { organizationId, createdBy: user.id, body });
      return { ...toSummary(template), current: toVersionView(version) };
    };
    // With an Idempotency-Key the caller's transaction also holds the key.
    return oneStarterPerCategory(
      () => body.category,
      () => (m ? work(m) : this.ds.transaction(work)),
    );
  }

  /** An edit is a new version; the ones before stay as they were. */
  async update(user: AuthUser, id: string, body: UpdateTemplateBody): Promise<TemplateView> {
    // Only a new category can meet another active starter.
    return oneStarterPerCategory(
      () => body.category ?? '',
      () =>
        this.ds.transaction(async (m) => {
          const head = this.writable(user, await this.templates.findById(id, { m, lock: true }));
          if (head.archivedAt) throw new StateConflict('the template is archived; unarchive it to edit it', 'archived');
          if (body.baseVersion !== undefined && body.baseVersion !== head.version) {
            throw new StateConflict(`the template is at version ${head.version}, not ${body.baseVersion}; edit the current version`, 'active', { version: head.version });
          }
          const current = (await this.versions.findById(id, head.versionId, m))!;
          const next = await this.versions.insert(m, {
            id: randomUUID(),
            templateId: id,
            version: head.version + 1,
            name: body.name ?? current.name,
            category: body.category ?? current.category,
            defaultPriority: body.defaultPriority ?? current.defaultPriority,
            instructions: body.instructions ?? current.instructions,
            checklist: body.checklist ? resolveSteps(body.checklist, current.checklist, current.version) : current.checklist,
            inputs: body.inputs ?? current.inputs,
            deadlineRule: body.deadlineRule ?? current.deadlineRule,
            createdBy: user.id,
          });
          const moved = await this.templates.advance(m, id, headOf(next));
          return { ...toSummary(moved), current: toVersionView(next) };
        }),
    );
  }

  /** Archived templates are offered for no new task; their versions stay readable. */
  async setArchived(user: AuthUser, id: string, archived: boolean): Promise<TemplateView> {
    const head = this.writable(user, await this.templates.findById(id));
    const moved = await oneStarterPerCategory(
      () => head.category,
      () => this.templates.setArchived(id, archived),
    );
    if (!moved) throw new StateConflict(archived ? 'the template is archived already' : 'the template is not archived', archived ? 'archived' : 'active');
    return this.view(moved);
  }

  async listVersions(user: AuthUser, id: string, q: ListQuery): Promise<Page<TemplateVersionView>> {
    this.readable(user, await this.templates.findById(id));
    const rows = await this.versions.list(id, decodeVersionCursor(q.cursor), q.limit);
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return { items: items.map(toVersionView), nextCursor: rows.length > q.limit && last ? encodeVersionCursor(last.version) : null };
  }

  async getVersion(user: AuthUser, id: string, versionId: string): Promise<TemplateVersionView> {
    this.readable(user, await this.templates.findById(id));
    const version = await this.versions.findById(id, versionId);
    if (!version) throw new NotFoundException('template version not found');
    return toVersionView(version);
  }

  /**
   * What a task from this template gets if submitted now (or at `submittedAt`):
   * the version (the current one unless named), the inputs checked, the
   * priority and the deadline in the organization's hours. The preview and a
   * submission from the template both start here. Creates nothing.
   */
  async plan(user: AuthUser, id: string, body: TemplatePlanInput): Promise<TemplatePlan> {
    const version = await this.usable(user, id, body.versionId);
    return planWith(version, body, await this.settings.calendarOf(user.organizationId!));
  }

  /** The version a task from this template is made from (the current one unless named): 404 if the caller may not read it, 409 if archived. */
  async usable(user: AuthUser, id: string, versionId?: string): Promise<TemplateVersion> {
    const head = this.readable(user, await this.templates.findById(id));
    if (head.archivedAt) throw new StateConflict('the template is archived; unarchive it to use it', 'archived');
    const version = await this.versions.findById(id, versionId ?? head.versionId);
    if (!version) throw new NotFoundException('template version not found');
    return version;
  }

  /** A version as a task pinned it, whatever the template's state since (a bulk import's run). */
  pinned(templateId: string, versionId: string): Promise<TemplateVersion | null> {
    return this.versions.findById(templateId, versionId);
  }

  /** The plan with the price the rate card gives it now. */
  async preview(user: AuthUser, id: string, body: PreviewTemplateBody): Promise<TemplatePreview> {
    const plan = await this.plan(user, id, body);
    const { version } = plan;
    const [quote, standing] = await Promise.all([this.rates.quote(version.category, plan.priority), this.budgets.standing(user.organizationId!, id)]);
    return {
      templateId: id,
      versionId: version.id,
      version: version.version,
      category: version.category,
      priority: plan.priority,
      priceCents: quote.priceCents,
      currency: quote.currency,
      submittedAt: plan.submittedAt.toISOString(),
      deadline: plan.deadline.toISOString(),
      timeZone: plan.timeZone,
      inputs: plan.inputs,
      budget: standing.budget,
      templateBudget: standing.templateBudget,
    };
  }

  /**
   * The template's own monthly budget (null removes it), set by an owner of its
   * organization or an admin. A starter is every organization's, so it has none.
   */
  async setBudget(user: AuthUser, id: string, body: TemplateBudgetBody): Promise<TemplateView> {
    return this.ds.transaction(async (m) => {
      const head = this.readable(user, await this.templates.findById(id, { m, lock: true }));
      if (head.organizationId === null) throw new UnprocessableRule('a starter template is shared by every organization and takes no budget; copy it into yours to give it one');
      assertMayManageBudget(user, 'set a budget');
      await this.templates.setBudget(m, id, body.monthlyBudgetCents);
      return this.view((await this.templates.findById(id, { m }))!, m);
    });
  }
}
