import { DISPUTE_OUTCOMES, DISPUTE_STATUSES, type DisputeOutcome, type DisputeStatus } from '@handoff/contracts';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A client's dispute of returned work: at most one open per task (a unique partial index), resolved once by an admin. */
@Entity({ name: 'disputes' })
export class Dispute {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'task_id', type: 'uuid' })
  taskId: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  /** Who returned the disputed work: the one who may answer. */
  @Column({ name: 'assignee_id', type: 'uuid' })
  assigneeId: string;

  @Column({ name: 'opened_by', type: 'uuid' })
  openedBy: string;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'text', nullable: true })
  answer: string | null;

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  @Column({ type: 'text', enum: DISPUTE_STATUSES })
  status: DisputeStatus;

  @Column({ type: 'text', enum: DISPUTE_OUTCOMES, nullable: true })
  outcome: DisputeOutcome | null;

  @Column({ name: 'amount_cents', type: 'bigint', nullable: true })
  amountCents: number | null;

  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ name: 'resolved_by', type: 'uuid', nullable: true })
  resolvedBy: string | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ name: 'ledger_entry_id', type: 'uuid', nullable: true })
  ledgerEntryId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

export type DisputeWithTitle = Dispute & { taskTitle: string };
