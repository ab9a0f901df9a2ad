import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An assistant a client organization prefers: its new tasks are announced to them first. */
@Entity({ name: 'preferred_assistants' })
export class PreferredAssistant {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @PrimaryColumn({ name: 'assistant_id', type: 'uuid' })
  assistantId: string;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
