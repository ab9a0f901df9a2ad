import { CATEGORIES, CATEGORY_LABELS, TASK_STATUSES, type Category, type TaskStatus } from '@handoff/contracts';
import { Group, Select } from '@mantine/core';
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
    <Group gap="sm" mb="md" wrap="wrap">
      <Select
        label="Status"
        placeholder="Any status"
        clearable
        w={200}
        data={TASK_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))}
        value={filters.status ?? null}
        onChange={(v) => onChange({ ...filters, status: (v as TaskStatus | null) ?? undefined })}
      />
      <Select
        label="Category"
        placeholder="Any category"
        clearable
        w={220}
        data={CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABELS[c] }))}
        value={filters.category ?? null}
        onChange={(v) => onChange({ ...filters, category: (v as Category | null) ?? undefined })}
      />
    </Group>
  );
}
