import { CATEGORY_LABELS, formatMoney, type BudgetNoticeLive, type LedgerEntryView, type RatingView, type TaskView, type UserView } from '@handoff/contracts';

export interface ToastSpec {
  title: string;
  message: string;
  color: 'blue' | 'green' | 'orange' | 'red' | 'grape' | 'teal';
  /** Where a click on the toast should lead, if anywhere. */
  href?: string;
}

type Viewer = Pick<UserView, 'id' | 'role' | 'organizationId'>;

function taskHref(viewer: Viewer, taskId: string): string {
  return `/${viewer.role}/tasks/${taskId}`;
}

// Only changes made by someone else are worth interrupting the user for; the
// rules below never toast a transition the viewer just performed themselves.

export function toastForUpdate(viewer: Viewer, task: TaskView, previous: TaskView | undefined): ToastSpec | null {
  const title = `“${task.title}”`;
  if (viewer.role === 'client' && task.organizationId === viewer.organizationId) {
    if (task.status === 'claimed' && previous?.status !== 'claimed') {
      const who = task.assigneeName ? ` by ${task.assigneeName}` : '';
      return { title: 'Task claimed', message: `${title} was claimed${who}.`, color: 'blue', href: taskHref(viewer, task.id) };
    }
    if (task.status === 'returned' && previous?.status !== 'returned') {
      return { title: 'Task returned', message: `${title} is done. Review it and accept or ask for a revision.`, color: 'teal', href: taskHref(viewer, task.id) };
    }
  }
  if (viewer.role === 'assistant' && task.assigneeId === viewer.id) {
    if (task.status === 'accepted') {
      return { title: 'Work accepted', message: `${title} was accepted.`, color: 'green', href: taskHref(viewer, task.id) };
    }
    if (task.status === 'in_progress' && (previous?.status === 'returned' || (!previous && task.returnedAt && task.feedback))) {
      return { title: 'Revision requested', message: `${title} needs another pass${task.feedback ? `: ${task.feedback}` : '.'}`, color: 'orange', href: taskHref(viewer, task.id) };
    }
    if (task.status === 'cancelled') {
      return { title: 'Task cancelled', message: `${title} was cancelled; you can stop working on it.`, color: 'red' };
    }
  }
  return null;
}

export function toastForAvailable(viewer: Viewer, task: TaskView): ToastSpec | null {
  if (viewer.role !== 'assistant') return null;
  return {
    title: 'New work in your skills',
    message: `${task.title} · ${CATEGORY_LABELS[task.category]} · ${formatMoney(task.priceCents, task.currency)}`,
    color: 'blue',
    href: '/assistant/board',
  };
}

export function toastForBilling(viewer: Viewer, entry: LedgerEntryView): ToastSpec | null {
  const amount = formatMoney(Math.abs(entry.amountCents), entry.currency);
  const task = `“${entry.taskTitle}”`;
  if (viewer.role === 'assistant' && entry.kind === 'payout' && entry.assistantId === viewer.id) {
    return { title: 'Payout recorded', message: `You earned ${amount} for ${task}.`, color: 'green', href: '/assistant/earnings' };
  }
  if (viewer.role === 'client' && entry.kind === 'charge' && entry.organizationId === viewer.organizationId) {
    return { title: 'Task billed', message: `${amount} was charged for ${task}, returned on time.`, color: 'grape', href: '/client/statement' };
  }
  return null;
}

export function toastForOverdue(viewer: Viewer, task: TaskView): ToastSpec | null {
  const message = `“${task.title}” is past its deadline.`;
  if (viewer.role === 'client' && task.organizationId === viewer.organizationId) {
    return { title: 'Task overdue', message, color: 'red', href: taskHref(viewer, task.id) };
  }
  if (viewer.role === 'assistant' && task.assigneeId === viewer.id) {
    return { title: 'Task overdue', message: `${message} Return it as soon as you can.`, color: 'red', href: taskHref(viewer, task.id) };
  }
  if (viewer.role === 'admin') return { title: 'Task overdue', message, color: 'red', href: taskHref(viewer, task.id) };
  return null;
}

export function toastForEscalated(viewer: Viewer, task: TaskView): ToastSpec | null {
  if (viewer.role !== 'admin') return null;
  return { title: 'Task escalated', message: `Nobody has claimed “${task.title}” in time.`, color: 'orange', href: taskHref(viewer, task.id) };
}

/** The assistant hears how the client rated their work; the client rated it themselves and needs no toast. */
export function toastForRating(viewer: Viewer, rating: RatingView): ToastSpec | null {
  if (viewer.role !== 'assistant' || rating.assistantId !== viewer.id) return null;
  const stars = `${rating.stars} star${rating.stars === 1 ? '' : 's'}`;
  return { title: 'Work rated', message: rating.comment ? `${stars}: “${rating.comment}”` : `${stars}.`, color: rating.stars >= 4 ? 'green' : 'orange', href: taskHref(viewer, rating.taskId) };
}

/** A budget's 80 % or 100 %: only its owners are sent it, so everyone who hears it is told. */
export function toastForBudget(notice: BudgetNoticeLive, currency = 'USD'): ToastSpec {
  const whose = notice.templateId ? 'A template’s monthly budget' : 'The monthly budget';
  const spent = `${formatMoney(notice.committedCents, currency)} of ${formatMoney(notice.monthlyCents, currency)} is committed this month.`;
  return notice.thresholdPct >= 100
    ? { title: 'Budget reached', message: `${whose} is used up: ${spent} New tasks need an owner’s approval.`, color: 'red', href: '/client/budget' }
    : { title: 'Budget 80 % used', message: `${whose} is 80 % used: ${spent}`, color: 'orange', href: '/client/budget' };
}
