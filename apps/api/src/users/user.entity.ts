import { CATEGORIES, ROLES, type Category, type OrgRole, type Role } from '@handoff/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'users' })
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Stored lower-cased; a unique index on lower(email) backs it up. */
  @Column({ type: 'text' })
  email: string;

  @Column({ name: 'password_hash', type: 'text', select: false })
  passwordHash: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'enum', enum: ROLES, enumName: 'user_role' })
  role: Role;

  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId: string | null;

  /** The client's role in its organization (whoever made it is its owner); null for assistants and admins. */
  @Column({ name: 'org_role', type: 'text', nullable: true })
  orgRole: OrgRole | null;

  @Column({ type: 'enum', enumName: 'task_category', array: true, default: () => "'{}'", enum: CATEGORIES })
  skills: Category[];

  @Column({ name: 'max_concurrent_tasks', type: 'int', default: 3 })
  maxConcurrentTasks: number;

  @Column({ type: 'boolean', default: false })
  online: boolean;

  @Column({ type: 'boolean', default: false })
  suspended: boolean;

  /** Bumped to revoke every token the user holds (suspension, password change). */
  @Column({ name: 'token_version', type: 'int', default: 0 })
  tokenVersion: number;

  @Column({ name: 'email_verified_at', type: 'timestamptz', nullable: true })
  emailVerifiedAt: Date | null;

  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
