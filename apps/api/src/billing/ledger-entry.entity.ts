import { LEDGER_KINDS, type LedgerKind } from '@handoff/contracts';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Append-only (triggers refuse UPDATE, DELETE and TRUNCATE): corrections are new rows. */
@Entity({ name: 'ledger_entries' })
export class LedgerEntry {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'task_id', type: 'uuid' })
  taskId: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'assistant_id', type: 'uuid', nullable: true })
  assistantId: string | null;

  @Column({ type: 'enum', enum: LEDGER_KINDS, enumName: 'ledger_kind' })
  kind: LedgerKind;

  @Column({ name: 'amount_cents', type: 'bigint' })
  amountCents: number;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ type: 'text', nullable: true })
  reason: string | null;
}

/** An entry as the ledger views show it: with its task's title. */
export type LedgerEntryWithTitle = LedgerEntry & { taskTitle: string };
