import { ForbiddenException, Injectable } from '@nestjs/common';
import { BUDGET_EXCEEDED, formatMoney, priceFor, type BudgetRefusal, type BudgetStanding, type Category, type Priority } from '@handoff/contracts';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user.js';
import { UnprocessableRule } from '../common/http/errors.js';
import { overBy, thresholdsCrossed, type BudgetState } from './budget-math.js';
import { BudgetsRepository, scopeKey, type BudgetNotice, type BudgetScope } from './budgets.repository.js';

/** Who may set a budget or let a submission past one: the organization's owner, or an admin. */
export function mayManageBudget(user: Pick<AuthUser, 'role' | 'orgRole'>): boolean {
  return user.role === 'admin' || user.orgRole === 'owner';
}

export function assertMayManageBudget(user: Pick<AuthUser, 'role' | 'orgRole'>, what: string): void {
  if (!mayManageBudget(user)) throw new ForbiddenException(`only an owner of the organization may ${what}`);
}

/** A submission as the budget sees it. */
export interface BudgetClaim {
  organizationId: string;
  templateId: string | null;
  category: Category;
  priority: Priority;
  /** An owner let it past a budget it exceeds. */
  approved: boolean;
}

/** Each claim's fate: in (at its price), refused by a budget, or no rate for its category (neither counted). */
export type Admission = { ok: true; priceCents: number } | { ok: false; refusal: BudgetRefusal } | { ok: false; noRate: true };

/** 422 `budget_exceeded`, with how much over and whose budget. */
export class BudgetExceeded extends UnprocessableRule {
  constructor(readonly refusal: BudgetRefusal) {
    const { statusCode: _s, message, ...extra } = refusal;
    super(message, extra);
  }
}

const standingOf = (s: BudgetState): BudgetStanding => ({ monthlyCents: s.monthlyCents, committedCents: s.committedCents, remainingCents: s.monthlyCents - s.committedCents });

/**
 * Monthly budgets: what is committed against them, and which submissions fit.
 * Committed spend is read fresh under a lock of the organization's row, so the
 * check needs no counter kept right by every cancel, late return and refund.
 */
@Injectable()
export class BudgetsService {
  constructor(private readonly budgets: BudgetsRepository) {}

  /**
   * Decides a batch of submissions in the caller's transaction, in order, each
   * counted against its organization's and template's budgets with the ones
   * before it; the notices of the thresholds the admitted ones cross are
   * written in the same transaction. The organizations stay locked until it ends.
   */
  async admit(m: EntityManager, claims: readonly BudgetClaim[]): Promise<Admission[]> {
    const orgs = new Map((await this.budgets.lockOrganizations(m, [...new Set(claims.map((c) => c.organizationId))])).map((o) => [o.id, o]));
    const templateIds = [...new Set(claims.flatMap((c) => (c.templateId ? [c.templateId] : [])))];
    const [templateBudgets, rates] = [await this.budgets.templateBudgets(templateIds, m), await this.budgets.rates(m, [...new Set(claims.map((c) => c.category))])];

    const scopes: BudgetScope[] = [];
    const limits = new Map<string, number>();
    for (const o of orgs.values()) {
      if (o.monthlyCents !== null) {
        scopes.push({ organizationId: o.id, templateId: null, since: o.monthStart });
        limits.set(scopeKey(o.id, null), o.monthlyCents);
      }
    }
    for (const c of claims) {
      const cents = c.templateId ? templateBudgets.get(c.templateId) : undefined;
      const key = scopeKey(c.organizationId, c.templateId);
      if (cents === undefined || limits.has(key)) continue;
      scopes.push({ organizationId: c.organizationId, templateId: c.templateId, since: orgs.get(c.organizationId)!.monthStart });
      limits.set(key, cents);
    }
    const committed = await this.budgets.committed(scopes, m);
    const notices: BudgetNotice[] = [];

    const admissions = claims.map((c): Admission => {
      const rate = rates.get(c.category);
      if (!rate) return { ok: false, noRate: true };
      const priceCents = priceFor(rate.basePriceCents, c.priority);
      const checks = [scopeKey(c.organizationId, null), ...(c.templateId ? [scopeKey(c.organizationId, c.templateId)] : [])]
        .filter((k) => limits.has(k))
        .map((k) => ({ key: k, templateId: k === scopeKey(c.organizationId, null) ? null : c.templateId, state: { monthlyCents: limits.get(k)!, committedCents: committed.get(k) ?? 0 } }));
      if (!c.approved) {
        const over = checks.find((x) => overBy(x.state, priceCents) > 0);
        if (over) return { ok: false, refusal: refusal(over.templateId, over.state, priceCents, rate.currency) };
      }
      for (const x of checks) {
        const month = orgs.get(c.organizationId)!.month;
        for (const pct of thresholdsCrossed(x.state, priceCents)) {
          notices.push({ organizationId: c.organizationId, templateId: x.templateId, month, thresholdPct: pct, monthlyCents: x.state.monthlyCents, committedCents: x.state.committedCents + priceCents });
        }
        committed.set(x.key, x.state.committedCents + priceCents);
      }
      return { ok: true, priceCents };
    });
    await this.budgets.recordNotices(m, notices);
    return admissions;
  }

  /** The organization's budget and, given a template, the template's, as they stand now; null where there is none. */
  async standing(organizationId: string, templateId?: string | null): Promise<{ budget: BudgetStanding | null; templateBudget: BudgetStanding | null }> {
    const org = await this.budgets.organization(organizationId);
    const templateCents = templateId ? (await this.budgets.templateBudgets([templateId])).get(templateId) : undefined;
    if (!org || (org.monthlyCents === null && templateCents === undefined)) return { budget: null, templateBudget: null };
    const scopes: BudgetScope[] = [];
    if (org.monthlyCents !== null) scopes.push({ organizationId, templateId: null, since: org.monthStart });
    if (templateCents !== undefined) scopes.push({ organizationId, templateId: templateId!, since: org.monthStart });
    const committed = await this.budgets.committed(scopes);
    return {
      budget: org.monthlyCents === null ? null : standingOf({ monthlyCents: org.monthlyCents, committedCents: committed.get(scopeKey(organizationId, null)) ?? 0 }),
      templateBudget:
        templateCents === undefined ? null : standingOf({ monthlyCents: templateCents, committedCents: committed.get(scopeKey(organizationId, templateId!)) ?? 0 }),
    };
  }
}

function refusal(templateId: string | null, state: BudgetState, priceCents: number, currency: string): BudgetRefusal {
  const money = (c: number) => formatMoney(c, currency, 'en-US');
  const over = overBy(state, priceCents);
  const whose = templateId ? "the template's" : "the organization's";
  return {
    statusCode: 422,
    code: BUDGET_EXCEEDED,
    message:
      `this task (${money(priceCents)}) would take ${whose} committed spend this month to ${money(state.committedCents + priceCents)}, ` +
      `${money(over)} over its monthly budget of ${money(state.monthlyCents)}; an owner of the organization can approve the overage`,
    scope: templateId ? 'template' : 'organization',
    templateId,
    monthlyCents: state.monthlyCents,
    committedCents: state.committedCents,
    priceCents,
    overByCents: over,
    currency,
  };
}
