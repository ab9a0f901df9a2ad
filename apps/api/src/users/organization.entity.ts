import type { WeeklyHours } from '@handoff/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'organizations' })
export class Organization {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  /** Members must sign in with a second factor (PUT /api/organizations/:id/two-factor-policy). */
  @Column({ name: 'require_two_factor', type: 'boolean', default: false })
  requireTwoFactor: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** The IANA zone its deadlines and schedules are read in. */
  @Column({ name: 'time_zone', type: 'text' })
  timeZone: string;

  @Column({ name: 'weekly_hours', type: 'jsonb' })
  weeklyHours: WeeklyHours;

  /** Dates (YYYY-MM-DD) on its own calendar, closed all day. */
  @Column({ type: 'date', array: true })
  holidays: string[];

  /** How long its preferred assistants hear of a new task before everyone else; 0 tells everyone at once. */
  @Column({ name: 'preferred_head_start_seconds', type: 'int', default: 300 })
  preferredHeadStartSeconds: number;

  /** Its monthly budget in cents (committed spend may not pass it without an owner's approval); null: none. */
  @Column({ name: 'monthly_budget_cents', type: 'int', nullable: true })
  monthlyBudgetCents: number | null;

  @Column({ name: 'settings_updated_at', type: 'timestamptz' })
  settingsUpdatedAt: Date;
}
