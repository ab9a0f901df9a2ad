import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  BusinessCalendar,
  businessHoursSettings,
  type BusinessHoursSettings,
  type OrganizationSettingsView,
  type UpdateOrganizationSettingsBody,
} from '@handoff/contracts';
import type { DataSource } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user.js';
import { assertMayManageBudget } from '../budgets/budgets.service.js';
import { describeZodError } from '../common/http/contract.js';
import { OrganizationsRepository, type OrganizationSettings } from './organizations.repository.js';

const view = (s: OrganizationSettings): OrganizationSettingsView => ({
  organizationId: s.id,
  timeZone: s.timeZone,
  weeklyHours: toSettings(s).weeklyHours,
  holidays: s.holidays,
  preferredHeadStartSeconds: s.preferredHeadStartSeconds,
  monthlyBudgetCents: s.monthlyBudgetCents ?? null,
  updatedAt: s.settingsUpdatedAt.toISOString(),
});

const toSettings = (s: OrganizationSettings): BusinessHoursSettings => businessHoursSettings.parse({ timeZone: s.timeZone, weeklyHours: s.weeklyHours, holidays: s.holidays });

/** An organization's time zone, business hours and holidays: what its deadlines are computed in. */
@Injectable()
export class OrganizationSettingsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly organizations: OrganizationsRepository,
  ) {}

  /** Its own organization's clients and admins; anyone else is told it does not exist. */
  private assertOwner(user: AuthUser, id: string, found: OrganizationSettings | null): OrganizationSettings {
    if (!found || (user.role !== 'admin' && user.organizationId !== id)) throw new NotFoundException('organization not found');
    return found;
  }

  async get(user: AuthUser, id: string): Promise<OrganizationSettingsView> {
    return view(this.assertOwner(user, id, await this.organizations.settings(id)));
  }

  async update(user: AuthUser, id: string, body: UpdateOrganizationSettingsBody): Promise<OrganizationSettingsView> {
    return this.ds.transaction(async (m) => {
      const found = this.assertOwner(user, id, await this.organizations.settings(id, { m, lock: true }));
      if (body.monthlyBudgetCents !== undefined) assertMayManageBudget(user, 'change the budget');
      const current = toSettings(found);
      const merged = {
        timeZone: body.timeZone ?? current.timeZone,
        weeklyHours: { ...current.weeklyHours, ...stripUndefined(body.weeklyHours ?? {}) },
        holidays: body.holidays ?? current.holidays,
      };
      // The parts were checked one by one; the whole is checked here (a week must open somewhere, no date twice).
      const parsed = businessHoursSettings.safeParse(merged);
      if (!parsed.success) throw new BadRequestException(describeZodError(parsed.error, 'body', merged));
      const preferredHeadStartSeconds = body.preferredHeadStartSeconds ?? found.preferredHeadStartSeconds;
      const monthlyBudgetCents = body.monthlyBudgetCents !== undefined ? body.monthlyBudgetCents : found.monthlyBudgetCents;
      return view(
        await this.organizations.updateSettings(m, id, { ...parsed.data, holidays: [...parsed.data.holidays].sort(), preferredHeadStartSeconds, monthlyBudgetCents }),
      );
    });
  }

  /** The calendar deadlines of this organization are computed in. */
  async calendarOf(organizationId: string): Promise<BusinessCalendar> {
    const found = await this.organizations.settings(organizationId);
    if (!found) throw new NotFoundException('organization not found');
    return new BusinessCalendar(toSettings(found));
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
