import type { Category, Page, Priority, Role, TaskChecklistLive, TaskStatus, TaskView } from '@handoff/contracts';

// The rules that fold live events into cached task data. They are pure so the
// one invariant that matters can be tested directly: a task never goes back
// to an older version, whatever order or how many times events arrive.

/** Cached lists come from useInfiniteQuery: pages of `{items, nextCursor}`. */
export interface PagedTasks {
  pages: Page<TaskView>[];
  pageParams: unknown[];
}

/** The highest version of each task this tab has seen, from events or fetches. */
export class VersionBook {
  private readonly versions = new Map<string, number>();

  get(taskId: string): number | undefined {
    return this.versions.get(taskId);
  }

  /** Records a version; answers true when it is newer than anything seen before for that task. */
  observe(taskId: string, version: number): boolean {
    const known = this.versions.get(taskId);
    if (known !== undefined && known >= version) return false;
    this.versions.set(taskId, version);
    return true;
  }

  /** A snapshot older than what we have seen must not be (re)inserted anywhere. */
  isOutdated(taskId: string, version: number): boolean {
    const known = this.versions.get(taskId);
    return known !== undefined && version < known;
  }

  clear(): void {
    this.versions.clear();
  }
}

/**
 * The newer of two snapshots of the same task. Ties keep the existing one, so a
 * duplicate event changes nothing (not even object identity, which spares a re-render).
 * The history (`events`) only comes from the detail endpoint, so an event
 * snapshot without it keeps the history already loaded.
 */
export function mergeTask(existing: TaskView | undefined, incoming: TaskView): TaskView {
  if (!existing) return incoming;
  if (incoming.id !== existing.id) return existing;
  if (incoming.version <= existing.version) return existing;
  if (incoming.events === undefined && existing.events !== undefined) {
    return { ...incoming, events: existing.events };
  }
  return incoming;
}

export interface ListScope {
  role: Role;
  userId: string;
  organizationId?: string | null;
  status?: TaskStatus;
  category?: Category;
}

/** Whether a task belongs in a list the API would return for this viewer and filter. */
export function taskBelongs(task: TaskView, scope: ListScope): boolean {
  if (scope.status && task.status !== scope.status) return false;
  if (scope.category && task.category !== scope.category) return false;
  switch (scope.role) {
    case 'admin':
      return true;
    case 'client':
      return !!scope.organizationId && task.organizationId === scope.organizationId;
    case 'assistant':
      return task.assigneeId === scope.userId;
  }
}

/**
 * Upsert a task into paged list data. A newer snapshot replaces the old one in place,
 * or removes it when it no longer belongs (e.g. a filter on status); an unknown task
 * that belongs is added at the top, unless the book knows a newer version of it.
 */
export function upsertIntoPages(
  data: PagedTasks | undefined,
  incoming: TaskView,
  belongs: (t: TaskView) => boolean,
  book?: VersionBook,
): PagedTasks | undefined {
  if (!data) return data;
  let found = false;
  let changed = false;
  const pages = data.pages.map((page) => {
    const index = page.items.findIndex((t) => t.id === incoming.id);
    if (index === -1) return page;
    found = true;
    const existing = page.items[index]!;
    const merged = mergeTask(existing, incoming);
    if (merged === existing) return page;
    changed = true;
    const items = belongs(merged)
      ? page.items.map((t, i) => (i === index ? merged : t))
      : page.items.filter((_, i) => i !== index);
    return { ...page, items };
  });
  if (found) return changed ? { ...data, pages } : data;
  if (!belongs(incoming) || book?.isOutdated(incoming.id, incoming.version)) return data;
  const [first, ...rest] = data.pages;
  if (!first) return { ...data, pages: [{ items: [incoming], nextCursor: null }] };
  return { ...data, pages: [{ ...first, items: [incoming, ...first.items] }, ...rest] };
}

const PRIORITY_RANK: Record<Priority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/** The board's order, the same as the API's: priority, then earliest deadline, then oldest. */
export function compareAvailable(a: TaskView, b: TaskView): number {
  return (
    PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
    Date.parse(a.deadline) - Date.parse(b.deadline) ||
    Date.parse(a.createdAt) - Date.parse(b.createdAt)
  );
}

/** Fold a task snapshot into the available board: present while queued, gone otherwise. */
export function upsertIntoAvailable(
  list: TaskView[] | undefined,
  incoming: TaskView,
  book?: VersionBook,
): TaskView[] | undefined {
  if (!list) return list;
  const existing = list.find((t) => t.id === incoming.id);
  if (existing) {
    const merged = mergeTask(existing, incoming);
    if (merged === existing) return list;
    if (merged.status !== 'queued') return list.filter((t) => t.id !== incoming.id);
    return list.map((t) => (t.id === incoming.id ? merged : t)).sort(compareAvailable);
  }
  if (incoming.status !== 'queued' || book?.isOutdated(incoming.id, incoming.version)) return list;
  return [...list, incoming].sort(compareAvailable);
}

/** `task.unavailable` carries the version at which the task left the queue; an older copy goes, a newer one stays. */
export function removeFromAvailable(list: TaskView[] | undefined, taskId: string, version: number): TaskView[] | undefined {
  if (!list) return list;
  const existing = list.find((t) => t.id === taskId);
  if (!existing || existing.version >= version) return list;
  return list.filter((t) => t.id !== taskId);
}

/** Every task snapshot inside a piece of cached data, so fetched versions feed the book too. */
export function tasksIn(data: unknown): TaskView[] {
  if (!data || typeof data !== 'object') return [];
  if (Array.isArray(data)) return data.filter(isTaskLike);
  const d = data as Partial<PagedTasks> & Partial<TaskView>;
  if (Array.isArray(d.pages)) return d.pages.flatMap((p) => (Array.isArray(p?.items) ? p.items.filter(isTaskLike) : []));
  return isTaskLike(data) ? [data] : [];
}

function isTaskLike(v: unknown): v is TaskView {
  return !!v && typeof v === 'object' && typeof (v as TaskView).id === 'string' && typeof (v as TaskView).version === 'number' && typeof (v as TaskView).status === 'string';
}

/**
 * A task with a live checklist folded in: its progress, and its steps where the
 * copy has them (a detail page). A tick is not a move, so the version stays.
 */
export function applyChecklist(task: TaskView, live: TaskChecklistLive): TaskView {
  if (task.id !== live.taskId) return task;
  const same = task.checklist.done === live.done && task.checklist.total === live.total;
  if (same && (!task.checklistSteps || JSON.stringify(task.checklistSteps) === JSON.stringify(live.steps))) return task;
  return { ...task, checklist: { done: live.done, total: live.total }, ...(task.checklistSteps ? { checklistSteps: live.steps } : {}) };
}

/** The live checklist in every page of a cached list that holds the task. */
export function checklistIntoPages(data: PagedTasks | undefined, live: TaskChecklistLive): PagedTasks | undefined {
  if (!data) return data;
  let changed = false;
  const pages = data.pages.map((page) => {
    const items = page.items.map((t) => applyChecklist(t, live));
    if (items.every((t, i) => t === page.items[i])) return page;
    changed = true;
    return { ...page, items };
  });
  return changed ? { ...data, pages } : data;
}
