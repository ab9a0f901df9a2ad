import { useInfiniteQuery } from '@tanstack/react-query';
import { api, type TaskFilters } from '../api/endpoints';
import { qk } from '../api/query-keys';

/** A cursor-paged task list; the live layer patches these pages in place. */
export function useTaskList(filters: TaskFilters = {}) {
  const query = useInfiniteQuery({
    queryKey: qk.taskList(filters),
    queryFn: ({ pageParam, signal: _signal }) => api.listTasks({ ...filters, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const tasks = query.data?.pages.flatMap((p) => p.items) ?? [];
  return { ...query, tasks };
}
