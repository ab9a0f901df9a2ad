import type { Category, InputField, TaskView, TemplateView, UserView } from '@handoff/contracts';

export const ORG = '11111111-1111-4111-8111-111111111111';

export function task(overrides: Partial<TaskView> = {}): TaskView {
  return {
    id: 'task-1',
    organizationId: ORG,
    createdBy: 'client-1',
    title: 'Reconcile March statement',
    instructions: 'Match every line.',
    category: 'bookkeeping',
    priority: 'normal',
    deadline: new Date(Date.now() + 86_400_000).toISOString(),
    priceCents: 2500,
    currency: 'USD',
    status: 'queued',
    assigneeId: null,
    result: null,
    onTime: null,
    overdue: false,
    version: 1,
    createdAt: new Date(Date.now() - 60_000).toISOString(),
    claimedAt: null,
    startedAt: null,
    returnedAt: null,
    acceptedAt: null,
    cancelledAt: null,
    templateId: null,
    templateVersionId: null,
    templateVersion: null,
    inputs: null,
    checklist: { done: 0, total: 0 },
    ...overrides,
  };
}

export function user(overrides: Partial<UserView> = {}): UserView {
  return {
    id: 'client-1',
    email: 'owner@example.test',
    name: 'Olivia Owner',
    role: 'client',
    organizationId: ORG,
    orgRole: 'owner',
    suspended: false,
    emailVerifiedAt: new Date(Date.now() - 86_400_000).toISOString(),
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

/** An organization's template at version 1, with one version as the API answers it (a summary is the same without `current`). */
export function templateView(t: { id: string; name: string; category: Category; instructions: string; inputs: InputField[] }): TemplateView {
  const now = new Date().toISOString();
  return {
    id: t.id,
    organizationId: 'org',
    starter: false,
    monthlyBudgetCents: null,
    name: t.name,
    category: t.category,
    defaultPriority: 'normal',
    version: 1,
    versionId: 'v1',
    stepCount: 0,
    inputCount: t.inputs.length,
    deadlineRule: { kind: 'business_hours', hours: 4 },
    archivedAt: null,
    createdAt: now,
    updatedAt: now,
    current: {
      id: 'v1',
      templateId: t.id,
      version: 1,
      name: t.name,
      category: t.category,
      defaultPriority: 'normal',
      instructions: t.instructions,
      checklist: [],
      inputs: t.inputs,
      deadlineRule: { kind: 'business_hours', hours: 4 },
      createdBy: null,
      createdAt: now,
    },
  };
}
