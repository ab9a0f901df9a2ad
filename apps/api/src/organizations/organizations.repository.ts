import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { BusinessHoursSettings } from '@handoff/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { rowsOf } from '../database/sql.js';
import type { Organization } from '../users/organization.entity.js';

export type OrganizationSettings = Pick<Organization, 'id' | 'timeZone' | 'weeklyHours' | 'holidays' | 'preferredHeadStartSeconds' | 'monthlyBudgetCents' | 'settingsUpdatedAt'>;

// Holidays go out as text: node-postgres would read a date as local midnight, a day off in zones west of UTC.
const SETTINGS_COLUMNS = `id, time_zone AS "timeZone", weekly_hours AS "weeklyHours",
  array(SELECT d::text FROM unnest(holidays) AS d ORDER BY d) AS holidays,
  preferred_head_start_seconds AS "preferredHeadStartSeconds", monthly_budget_cents AS "monthlyBudgetCents", settings_updated_at AS "settingsUpdatedAt"`;

/** The SQL of the `organizations` table that the calendar settings need. */
@Injectable()
export class OrganizationsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async settings(id: string, opts: { m?: EntityManager; lock?: boolean } = {}): Promise<OrganizationSettings | null> {
    const m = opts.m ?? this.ds.manager;
    const rows: OrganizationSettings[] = await m.query(`SELECT ${SETTINGS_COLUMNS} FROM organizations WHERE id = $1${opts.lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ?? null;
  }

  async updateSettings(m: EntityManager, id: string, s: BusinessHoursSettings & { preferredHeadStartSeconds: number; monthlyBudgetCents: number | null }): Promise<OrganizationSettings> {
    const rows = rowsOf<OrganizationSettings>(
      await m.query(
        `UPDATE organizations SET time_zone = $2, weekly_hours = $3::jsonb, holidays = $4::date[], preferred_head_start_seconds = $5, monthly_budget_cents = $6, settings_updated_at = now()
          WHERE id = $1 RETURNING ${SETTINGS_COLUMNS}`,
        [id, s.timeZone, JSON.stringify(s.weeklyHours), s.holidays, s.preferredHeadStartSeconds, s.monthlyBudgetCents],
      ),
    );
    return rows[0]!;
  }
}
