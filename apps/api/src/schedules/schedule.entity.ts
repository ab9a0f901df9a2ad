import { PRIORITIES, type Priority, type RecurrenceRule } from '@handoff/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A template run on a calendar rule in its organization's time zone, as its creator. */
@Entity({ name: 'schedules' })
export class Schedule {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'template_id', type: 'uuid' })
  templateId: string;

  /** null: the template's current version at each run. */
  @Column({ name: 'version_id', type: 'uuid', nullable: true })
  versionId: string | null;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'jsonb' })
  rule: RecurrenceRule;

  /** The rule's wall-clock time in the organization's zone (null for cron), kept beside the rule for reading. */
  @Column({ name: 'run_time', type: 'text', nullable: true })
  runTime: string | null;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt: Date;

  @Column({ name: 'ends_at', type: 'timestamptz', nullable: true })
  endsAt: Date | null;

  /** Fixed at creation; null leaves them out (the template then asks for none that are required). */
  @Column({ type: 'jsonb', nullable: true })
  inputs: Record<string, unknown> | null;

  /** null: the template's default priority. */
  @Column({ type: 'enum', enumName: 'task_priority', enum: PRIORITIES, nullable: true })
  priority: Priority | null;

  @Column({ name: 'paused_at', type: 'timestamptz', nullable: true })
  pausedAt: Date | null;

  @Column({ name: 'paused_reason', type: 'text', nullable: true })
  pausedReason: string | null;

  /** The one upcoming run its owner asked to skip. */
  @Column({ name: 'skip_at', type: 'timestamptz', nullable: true })
  skipAt: Date | null;

  /** null once the rule has ended. */
  @Column({ name: 'next_run_at', type: 'timestamptz', nullable: true })
  nextRunAt: Date | null;

  @Column({ name: 'last_run_at', type: 'timestamptz', nullable: true })
  lastRunAt: Date | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
