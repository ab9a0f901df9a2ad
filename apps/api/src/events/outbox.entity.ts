import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** What a commit promised to tell the rest of the system, written in that commit; deleted once relayed. */
@Entity({ name: 'outbox' })
export class OutboxRow {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  topic: string;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'int', default: 0 })
  attempts: number;
}
