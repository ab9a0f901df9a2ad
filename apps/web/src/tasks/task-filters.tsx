import { CATEGORIES, CATEGORY_LABELS, TASK_STATUSES, type Category, type TaskStatus } from '@handoff/contracts';
import { Group, NativeSelect } from '@mantine/core';
import { useSearchParams } from 'react-router';
import type { TaskFilters } from '../api/endpoints';
import { STATUS_LABELS } from '../lib/task-display';

/** Filters live in the URL so a filtered view can be bookmarked and survives a reload. */
export function useTaskFilters(): [TaskFilters, (next: TaskFilters) => void] {
  const [params, setParams] = useSearchParams();
  const status = params.get('status');
  const category = params.get('category');
  const filters: TaskFilters = {
    status: status && (TASK_STATUSES as readonly string[]).includes(status) ? (status as TaskStatus) : undefined,
    category: category && (CATEGORIES as readonly string[]).includes(category) ? (category as Category) : undefined,
  };
  const set = (next: TaskFilters) => {
    const p: Record<string, string> = {};
    if (next.status) p.status = next.status;
    if (next.category) p.category = next.category;
    setParams(p, { replace: true });
  };
  return [filters, set];
}

export function TaskFilterBar({ filters, onChange }: { filters: TaskFilters; onChange: (f: TaskFilters) => void }) {
  return (
    <Group gap="sm" mb="md" wrap="nowrap">
      <NativeSelect
        label="Status"
        style={{ flex: '1 1 160px', maxWidth: 220 }}
        data={[{ value: '', label: 'Any status' }, ...TASK_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))]}
        value={filters.status ?? ''}
        onChange={(e) => onChange({ ...filters, status: (e.currentTarget.value as TaskStatus) || undefined })}
      />
      <NativeSelect
        label="Category"
        style={{ flex: '1 1 160px', maxWidth: 240 }}
        data={[{ value: '', label: 'Any category' }, ...CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABELS[c] }))]}
        value={filters.category ?? ''}
        onChange={(e) => onChange({ ...filters, category: (e.currentTarget.value as Category) || undefined })}
      />
    </Group>
  );
}
