import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One entry of a user's inbox. */
@Entity({ name: 'notifications' })
export class Notification {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'text' })
  kind: string;

  @Column({ name: 'task_id', type: 'uuid', nullable: true })
  taskId: string | null;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'text' })
  body: string;

  /** The domain event and recipient that filed it: unique, so a redelivered event files nothing twice. */
  @Column({ type: 'text', unique: true })
  cause: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt: Date | null;
}

/** A user's choice of channel for one kind of notice; no row means the default. */
@Entity({ name: 'notification_settings' })
export class NotificationSetting {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @PrimaryColumn({ type: 'text' })
  kind: string;

  @Column({ type: 'text' })
  channel: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
