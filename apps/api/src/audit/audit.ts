export type AuditAction = 'user.create' | 'user.suspend' | 'user.reinstate' | 'user.update' | 'rate_card.update' | 'queue.retry';

export interface AuditEntry {
  action: AuditAction;
  targetType: 'user' | 'rate_card' | 'queue';
  targetId: string;
  details: Record<string, unknown>;
}
