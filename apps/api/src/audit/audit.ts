import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user.js';

export type AuditAction = 'user.create' | 'user.suspend' | 'user.reinstate' | 'user.update' | 'rate_card.update' | 'queue.retry';

export interface AuditEntry {
  action: AuditAction;
  targetType: 'user' | 'rate_card' | 'queue';
  targetId: string;
  details: Record<string, unknown>;
}

/**
 * Record an admin action through the manager of the transaction that makes
 * the change, so the change and its record commit or roll back together.
 */
export async function recordAudit(m: EntityManager, actor: Pick<AuthUser, 'id' | 'role'>, entry: AuditEntry): Promise<void> {
  await m.query(`INSERT INTO audit_log (actor_id, actor_role, action, target_type, target_id, details) VALUES ($1, $2, $3, $4, $5, $6)`, [
    actor.id,
    actor.role,
    entry.action,
    entry.targetType,
    entry.targetId,
    JSON.stringify(entry.details),
  ]);
}
