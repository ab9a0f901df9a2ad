import type { FileLink, FileList, FilePurpose, FileView, TaskView } from '@handoff/contracts';
import { Alert, Badge, Button, Card, FileButton, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, errorMessage, fetchWithAuth, request } from '../api/http';

export const fileKeys = { task: (taskId: string) => ['files', taskId] as const };

const PURPOSE_LABELS: Record<FilePurpose, string> = { attachment: 'Attachment', message: 'In a message', result: 'Result' };

interface Viewer {
  id: string;
  role: string;
  organizationId?: string | null;
}

/** What the viewer may add to the task now, as the API decides it (`FilesService.assertMayAdd`); null for nothing. */
export function uploadPurpose(viewer: Viewer, task: Pick<TaskView, 'status' | 'organizationId' | 'assigneeId'>): FilePurpose | null {
  if (viewer.role === 'client' && viewer.organizationId === task.organizationId && task.status !== 'accepted' && task.status !== 'cancelled') return 'attachment';
  if (viewer.role === 'assistant' && task.assigneeId === viewer.id && task.status === 'in_progress') return 'result';
  return null;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The form's fields go before the file: the API reads them in that order. */
async function upload(taskId: string, purpose: FilePurpose, file: File): Promise<FileView> {
  const form = new FormData();
  form.append('purpose', purpose);
  form.append('file', file, file.name);
  const res = await fetchWithAuth(`/api/tasks/${taskId}/files`, { method: 'POST', body: form, headers: { Accept: 'application/json' } });
  const data = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) throw new ApiError(res.status, data && typeof data === 'object' ? (data as { message?: string }) : null, `Upload failed (${res.status}).`);
  return data as FileView;
}

/** A signed link is the credential, so the browser fetches it as a plain download (the API answers `attachment`). */
async function download(file: FileView, doc: Document = document): Promise<void> {
  const link = await request<FileLink>(`/files/${file.id}/link`);
  const a = doc.createElement('a');
  a.href = link.url;
  a.download = file.name;
  doc.body.appendChild(a);
  a.click();
  a.remove();
}

/** A task's files: everyone who may read the task lists and downloads them; the client attaches, the assignee adds results. */
export function TaskFiles({ task, viewer }: { task: TaskView; viewer: Viewer }) {
  const client = useQueryClient();
  const files = useQuery({ queryKey: fileKeys.task(task.id), queryFn: () => request<FileList>(`/tasks/${task.id}/files`) });
  const purpose = uploadPurpose(viewer, task);
  const [problem, setProblem] = useState<string | null>(null);
  const add = useMutation({
    mutationFn: (file: File) => upload(task.id, purpose!, file),
    onMutate: () => setProblem(null),
    onSuccess: () => client.invalidateQueries({ queryKey: fileKeys.task(task.id) }),
    onError: (e) => setProblem(errorMessage(e)),
  });
  const items = files.data?.items ?? [];
  return (
    <Card withBorder padding="lg" data-testid="task-files">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4">
          Files
        </Title>
        {purpose && (
          <FileButton onChange={(f) => f && add.mutate(f)}>
            {(props) => (
              <Button {...props} size="xs" variant="light" loading={add.isPending}>
                {purpose === 'result' ? 'Add a result file' : 'Attach a file'}
              </Button>
            )}
          </FileButton>
        )}
      </Group>
      <Stack gap="xs">
        {problem && (
          <Alert color="red" role="alert">
            {problem}
          </Alert>
        )}
        {files.error && <Text c="red" size="sm">{errorMessage(files.error)}</Text>}
        {files.isSuccess && items.length === 0 && (
          <Text size="sm" c="dimmed">
            No files yet.
          </Text>
        )}
        {items.map((f) => (
          <Group key={f.id} justify="space-between" wrap="nowrap" gap="xs">
            <Stack gap={0} style={{ minWidth: 0 }}>
              <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                {f.name}
              </Text>
              <Group gap={6}>
                <Badge size="xs" variant="light" color={f.purpose === 'result' ? 'green' : 'gray'}>
                  {PURPOSE_LABELS[f.purpose]}
                </Badge>
                <Text size="xs" c="dimmed">
                  {formatSize(f.size)}
                </Text>
              </Group>
            </Stack>
            <Button size="xs" variant="subtle" aria-label={`Download ${f.name}`} onClick={() => void download(f).catch((e: unknown) => setProblem(errorMessage(e)))}>
              Download
            </Button>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}
