// The vocabulary of Handoff. Both the API and the dashboard import these lists,
// so a new category or state is added here once.

export const ROLES = ['client', 'assistant', 'admin'] as const;

/** A client's role in its organization; assistants and admins have none. Only an owner sets budgets and approves an overage. */
export const ORG_ROLES = ['owner', 'manager', 'member', 'billing'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];
export type Role = (typeof ROLES)[number];

export const FRONT_OFFICE = ['customer_support', 'email_management', 'telemarketing', 'scheduling'] as const;
export const BACK_OFFICE = [
  'data_entry',
  'bookkeeping',
  'payroll',
  'document_management',
  'it_support',
  'research',
] as const;
export const CATEGORIES = [...FRONT_OFFICE, ...BACK_OFFICE] as const;
export type Category = (typeof CATEGORIES)[number];

export const CATEGORY_LABELS: Record<Category, string> = {
  customer_support: 'Customer support',
  email_management: 'E-mail management',
  telemarketing: 'Telemarketing',
  scheduling: 'Scheduling',
  data_entry: 'Data entry',
  bookkeeping: 'Bookkeeping',
  payroll: 'Payroll',
  document_management: 'Document management',
  it_support: 'IT support',
  research: 'Research',
};

export function officeOf(category: Category): 'front' | 'back' {
  return (FRONT_OFFICE as readonly string[]).includes(category) ? 'front' : 'back';
}

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Multipliers in basis points so pricing never touches floating point. */
export const PRIORITY_MULTIPLIER_BPS: Record<Priority, number> = {
  low: 8000,
  normal: 10000,
  high: 12500,
  urgent: 15000,
};

export const TASK_STATUSES = [
  'queued',
  'claimed',
  'in_progress',
  'returned',
  // The client contested the returned work; an admin resolves it (docs/ARCHITECTURE.md#disputes).
  'disputed',
  'accepted',
  'cancelled',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const LEDGER_KINDS = ['charge', 'payout', 'refund', 'adjustment'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export const CURRENCY = 'USD';

export const LIMITS = {
  passwordMin: 10,
  passwordMax: 200,
  nameMax: 120,
  emailMax: 254,
  organizationNameMax: 160,
  titleMax: 200,
  instructionsMax: 20_000,
  resultMax: 50_000,
  feedbackMax: 5_000,
  reasonMax: 1_000,
  deadlineMaxDays: 90,
  listDefault: 50,
  listMax: 200,
  maxConcurrentTasksMax: 50,
} as const;
