import type {
  DisputeView,
  DisputeStatus,
  ResolveDisputeBody,
  NotificationPage,
  NotificationSettingsView,
  UnreadNotifications,
  UpdateNotificationSettingsBody,
  OrganizationSettingsView,
  UpdateOrganizationSettingsBody,
  TemplateProcess,
  TemplateRun,
  CreateScheduleBody,
  ScheduleRunView,
  ScheduleView,
  EmailVerification,
  MailAccepted,
  PasswordResetConfirmBody,
  AuthResponse,
  Category,
  ChangePasswordBody,
  DisableTwoFactorBody,
  LoginResponse,
  MessagePage,
  MessageView,
  SeenResponse,
  UnreadSummary,
  RecoveryCodesResponse,
  SecondFactorBody,
  TwoFactorEnrolment,
  TwoFactorLoginBody,
  TwoFactorPolicy,
  TwoFactorStatus,
  CreateTaskBody,
  FailedJobsPage,
  LedgerEntryView,
  LoginBody,
  Page,
  PreferredAssistantsView,
  PreferredAssistantView,
  RatingBody,
  RatingView,
  ScorecardView,
  TaskRatingView,
  Priority,
  QueueName,
  QuoteResponse,
  RateCardEntry,
  RegisterBody,
  RetryJobsBody,
  RetryJobsResult,
  Role,
  TaskChecklistView,
  TaskStatus,
  TaskView,
  TemplatePreview,
  TemplateSummary,
  TemplateView,
  UpdateUserBody,
  UserView,
} from '@handoff/contracts';
import { request } from './http';

/** Lists are `{items, nextCursor}` by contract; a bare array is accepted so an endpoint still in flux does not break a page. */
export function toPage<T>(data: Page<T> | T[] | null | undefined): Page<T> {
  if (!data) return { items: [], nextCursor: null };
  if (Array.isArray(data)) return { items: data, nextCursor: null };
  return { items: Array.isArray(data.items) ? data.items : [], nextCursor: data.nextCursor ?? null };
}

export interface TaskFilters {
  status?: TaskStatus;
  category?: Category;
}

export const api = {
  login: (body: LoginBody) => request<LoginResponse>('/auth/login', { method: 'POST', body }),
  loginSecondFactor: (body: TwoFactorLoginBody) => request<AuthResponse>('/auth/login/two-factor', { method: 'POST', body }),
  changePassword: (body: ChangePasswordBody) => request<AuthResponse>('/auth/password', { method: 'PUT', body }),
  twoFactor: () => request<TwoFactorStatus>('/auth/two-factor'),
  startTwoFactor: () => request<TwoFactorEnrolment>('/auth/two-factor/enrolment', { method: 'POST' }),
  confirmTwoFactor: (code: string) => request<RecoveryCodesResponse>('/auth/two-factor/enrolment/confirm', { method: 'POST', body: { code } }),
  newRecoveryCodes: (body: SecondFactorBody) => request<RecoveryCodesResponse>('/auth/two-factor/recovery-codes', { method: 'POST', body }),
  disableTwoFactor: (body: DisableTwoFactorBody) => request<undefined>('/auth/two-factor/disable', { method: 'POST', body }),
  twoFactorPolicy: (organizationId: string) => request<TwoFactorPolicy>(`/organizations/${organizationId}/two-factor-policy`),
  setTwoFactorPolicy: (organizationId: string, requireTwoFactor: boolean) =>
    request<TwoFactorPolicy>(`/organizations/${organizationId}/two-factor-policy`, { method: 'PUT', body: { requireTwoFactor } }),
  organizationSettings: (organizationId: string) => request<OrganizationSettingsView>(`/organizations/${organizationId}/settings`),
  updateOrganizationSettings: (organizationId: string, body: UpdateOrganizationSettingsBody) =>
    request<OrganizationSettingsView>(`/organizations/${organizationId}/settings`, { method: 'PATCH', body }),
  register: (body: RegisterBody) => request<AuthResponse>('/auth/register', { method: 'POST', body }),
  me: () => request<UserView>('/auth/me'),
  requestPasswordReset: (email: string) => request<MailAccepted>('/auth/password-reset', { method: 'POST', body: { email } }),
  confirmPasswordReset: (body: PasswordResetConfirmBody) => request<undefined>('/auth/password-reset/confirm', { method: 'POST', body }),
  verifyEmail: (token: string) => request<EmailVerification>('/auth/verify-email', { method: 'POST', body: { token } }),
  resendVerification: () => request<MailAccepted>('/auth/verify-email/resend', { method: 'POST' }),

  listUsers: async (role?: Role, cursor?: string) =>
    toPage(await request<Page<UserView> | UserView[]>('/users', { query: { role, cursor, limit: 200 } })),
  updateUser: (id: string, body: UpdateUserBody) => request<UserView>(`/users/${id}`, { method: 'PATCH', body }),
  setAvailability: (online: boolean) =>
    request<UserView | undefined>('/assistants/me/availability', { method: 'PUT', body: { online } }),

  notifications: (opts: { unreadOnly?: boolean; cursor?: string; limit?: number } = {}) =>
    request<NotificationPage>('/notifications', { query: { unread: opts.unreadOnly ? 'true' : undefined, cursor: opts.cursor, limit: opts.limit ?? 20 } }),
  unreadNotifications: () => request<UnreadNotifications>('/notifications/unread-count'),
  readNotification: (id: string) => request<UnreadNotifications>(`/notifications/${id}/read`, { method: 'POST' }),
  readAllNotifications: () => request<UnreadNotifications & { updated: number }>('/notifications/read-all', { method: 'POST' }),
  notificationSettings: () => request<NotificationSettingsView>('/me/notification-settings'),
  updateNotificationSettings: (body: UpdateNotificationSettingsBody) => request<NotificationSettingsView>('/me/notification-settings', { method: 'PUT', body }),

  rateCard: () => request<RateCardEntry[]>('/rate-card'),
  setRate: (category: Category, basePriceCents: number) =>
    request<RateCardEntry>(`/rate-card/${category}`, { method: 'PUT', body: { basePriceCents } }),

  quote: (category: Category, priority: Priority, signal?: AbortSignal) =>
    request<QuoteResponse>('/tasks/quote', { method: 'POST', body: { category, priority }, signal }),
  createTask: (body: CreateTaskBody, idempotencyKey: string) =>
    request<TaskView>('/tasks', { method: 'POST', body, idempotencyKey }),
  listTasks: async (filters: TaskFilters & { cursor?: string; limit?: number } = {}) =>
    toPage(
      await request<Page<TaskView> | TaskView[]>('/tasks', {
        query: { status: filters.status, category: filters.category, cursor: filters.cursor, limit: filters.limit ?? 50 },
      }),
    ),
  tickChecklistStep: (taskId: string, stepId: string, body: { done: boolean; note?: string | null }) =>
    request<TaskChecklistView>(`/tasks/${taskId}/checklist/${stepId}`, { method: 'PUT', body }),
  /** The organization's active templates and the starters. */
  templates: async () => toPage(await request<Page<TemplateSummary> | TemplateSummary[]>('/templates', { query: { limit: 200 } })).items,
  template: (id: string) => request<TemplateView>(`/templates/${id}`),
  templateProcess: (id: string) => request<TemplateProcess>(`/templates/${id}/process`),
  templateRuns: (id: string, cursor?: string) => request<Page<TemplateRun>>(`/templates/${id}/runs`, { query: { cursor, limit: 50 } }),
  previewTemplate: (id: string, body: { inputs: Record<string, unknown>; priority?: Priority }, signal?: AbortSignal) =>
    request<TemplatePreview>(`/templates/${id}/preview`, { method: 'POST', body, signal }),
  availableTasks: async () => toPage(await request<Page<TaskView> | TaskView[]>('/tasks/available')).items,
  task: (id: string) => request<TaskView>(`/tasks/${id}`),
  claim: (id: string) => request<TaskView>(`/tasks/${id}/claim`, { method: 'POST' }),
  /** Resolves with undefined when there is nothing to claim (204). */
  claimNext: () => request<TaskView | undefined>('/tasks/claim-next', { method: 'POST' }),
  start: (id: string) => request<TaskView>(`/tasks/${id}/start`, { method: 'POST' }),
  release: (id: string) => request<TaskView>(`/tasks/${id}/release`, { method: 'POST' }),
  returnTask: (id: string, result: string) => request<TaskView>(`/tasks/${id}/return`, { method: 'POST', body: { result } }),
  accept: (id: string) => request<TaskView>(`/tasks/${id}/accept`, { method: 'POST' }),
  revise: (id: string, feedback: string) => request<TaskView>(`/tasks/${id}/revise`, { method: 'POST', body: { feedback } }),
  cancel: (id: string) => request<TaskView>(`/tasks/${id}/cancel`, { method: 'POST' }),
  taskRating: (id: string) => request<TaskRatingView>(`/tasks/${id}/rating`),
  rateTask: (id: string, body: RatingBody) => request<RatingView>(`/tasks/${id}/rating`, { method: 'PUT', body }),
  openDispute: (taskId: string, reason: string) => request<DisputeView>(`/tasks/${taskId}/dispute`, { method: 'POST', body: { reason } }),
  disputes: (status: DisputeStatus) => request<Page<DisputeView>>('/disputes', { query: { status, limit: 200 } }),
  resolveDispute: (id: string, body: ResolveDisputeBody) => request<DisputeView>(`/disputes/${id}/resolve`, { method: 'POST', body }),

  schedules: async () => toPage(await request<Page<ScheduleView>>('/schedules', { query: { limit: 200 } })).items,
  createSchedule: (body: CreateScheduleBody) => request<ScheduleView>('/schedules', { method: 'POST', body }),
  pauseSchedule: (id: string) => request<ScheduleView>(`/schedules/${id}/pause`, { method: 'POST', body: {} }),
  resumeSchedule: (id: string) => request<ScheduleView>(`/schedules/${id}/resume`, { method: 'POST' }),
  skipSchedule: (id: string) => request<ScheduleView>(`/schedules/${id}/skip`, { method: 'POST' }),
  deleteSchedule: (id: string) => request<undefined>(`/schedules/${id}`, { method: 'DELETE' }),
  scheduleRuns: (id: string) => request<Page<ScheduleRunView>>(`/schedules/${id}/runs`, { query: { limit: 20 } }),

  scorecard: (assistantId: string, window: 30 | 90) => request<ScorecardView>(`/assistants/${assistantId}/scorecard`, { query: { window } }),
  preferredAssistants: (organizationId: string) => request<PreferredAssistantsView>(`/organizations/${organizationId}/preferred-assistants`),
  prefer: (organizationId: string, assistantId: string) =>
    request<PreferredAssistantView>(`/organizations/${organizationId}/preferred-assistants/${assistantId}`, { method: 'PUT' }),
  unprefer: (organizationId: string, assistantId: string) =>
    request<undefined>(`/organizations/${organizationId}/preferred-assistants/${assistantId}`, { method: 'DELETE' }),

  messages: (taskId: string, cursor?: string) => request<MessagePage>(`/tasks/${taskId}/messages`, { query: { cursor, limit: 50 } }),
  postMessage: (taskId: string, body: string) => request<MessageView>(`/tasks/${taskId}/messages`, { method: 'POST', body: { body } }),
  editMessage: (taskId: string, messageId: string, body: string) =>
    request<MessageView>(`/tasks/${taskId}/messages/${messageId}`, { method: 'PATCH', body: { body } }),
  deleteMessage: (taskId: string, messageId: string) => request<MessageView>(`/tasks/${taskId}/messages/${messageId}`, { method: 'DELETE' }),
  markSeen: (taskId: string, upTo: string) => request<SeenResponse>(`/tasks/${taskId}/messages/seen`, { method: 'POST', body: { upTo } }),
  unread: () => request<UnreadSummary>('/messages/unread'),

  billingEntries: async (query: { kind?: string; cursor?: string } = {}) =>
    toPage(await request<Page<LedgerEntryView> | LedgerEntryView[]>('/billing/entries', { query: { ...query, limit: 200 } })),

  queues: () => request<unknown>('/admin/queues'),
  failedJobs: (queue: QueueName, limit?: number) => request<FailedJobsPage>(`/admin/queues/${queue}/failed`, { query: { limit } }),
  /** Without ids every failed job is retried; an empty list is sent as is, so it can never widen to "all". */
  retryJobs: (queue: QueueName, jobIds?: string[]) =>
    request<RetryJobsResult>(`/admin/queues/${queue}/retry`, { method: 'POST', body: (jobIds === undefined ? {} : { jobIds }) satisfies RetryJobsBody }),
};
