export type AuditAction =
  | 'user.create'
  | 'user.suspend'
  | 'user.reinstate'
  | 'user.update'
  | 'rate_card.update'
  | 'queue.retry'
  | 'two_factor.enable'
  | 'two_factor.disable'
  | 'two_factor.recovery_codes'
  | 'two_factor.recovery_code_used'
  | 'two_factor.policy'
  | 'qualification.requirement'
  | 'qualification.review'
  | 'dispute.resolve';

export interface AuditEntry {
  action: AuditAction;
  targetType: 'user' | 'rate_card' | 'queue' | 'organization' | 'qualification' | 'qualification_attempt' | 'dispute';
  targetId: string;
  details: Record<string, unknown>;
}
