import { IMPORT_LIMITS, type ImportView, type TemplateVersionView } from '@handoff/contracts';
import { Alert, Badge, Button, Card, Group, Progress, SegmentedControl, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/endpoints';
import { errorMessage } from '../api/http';
import { qk } from '../api/query-keys';
import { PageHeader } from '../components/page-header';
import { ErrorAlert } from '../components/query-state';
import { downloadReport, importKeys, importsApi } from './imports-api';

/** The columns a file may have: the template's inputs, then the task's own fields. */
export function importColumns(version: Pick<TemplateVersionView, 'inputs'>): string[] {
  return [...version.inputs.map((f) => f.key), 'title', 'priority', 'deadline'];
}

/** "1,200 of 9,990 tasks created": the progress bar's words. */
export function progressLabel(im: Pick<ImportView, 'created' | 'valid'>): string {
  return `${im.created.toLocaleString('en')} of ${im.valid.toLocaleString('en')} tasks created`;
}

const STATUS_COLOR: Record<ImportView['status'], string> = { preview: 'gray', running: 'blue', done: 'green', failed: 'red' };

/** Upload a CSV (or paste rows) against a template, look at every row's errors, then hand the valid rows off as tasks. */
export function ImportPage() {
  const { id: templateId = '' } = useParams();
  const client = useQueryClient();
  const template = useQuery({ queryKey: qk.template(templateId), queryFn: () => api.template(templateId), enabled: !!templateId });
  const [mode, setMode] = useState<'file' | 'paste'>('file');
  const [file, setFile] = useState<File | null>(null);
  const [text, setText] = useState('');
  const [importId, setImportId] = useState<string | null>(null);

  const current = useQuery({
    queryKey: importKeys.one(importId ?? ''),
    queryFn: () => importsApi.get(importId!),
    enabled: !!importId,
    // The socket moves the bar; a slow poll covers a socket that is down.
    refetchInterval: (q) => (q.state.data?.status === 'running' ? 5_000 : false),
  });
  const im = current.data;

  const upload = useMutation({
    mutationFn: () => (mode === 'file' ? importsApi.uploadFile(templateId, file!) : importsApi.uploadText(templateId, text)),
    onSuccess: (view) => {
      client.setQueryData(importKeys.one(view.id), view);
      setImportId(view.id);
    },
  });
  const confirm = useMutation({
    mutationFn: () => importsApi.confirm(importId!),
    onSuccess: (view) => client.setQueryData(importKeys.one(view.id), view),
  });
  const report = useMutation({ mutationFn: () => downloadReport(importId!) });

  const version = template.data?.current;
  const canUpload = mode === 'file' ? !!file : text.trim() !== '';

  return (
    <>
      <PageHeader
        title={version ? `Import rows: ${version.name}` : 'Import rows'}
        description={`Each row of a CSV becomes a task from this template, with the row’s inputs. Up to ${IMPORT_LIMITS.rowsMax.toLocaleString('en')} rows; nothing is created until you confirm.`}
        actions={
          <Button component={Link} to="/client/tasks/new" variant="default">
            Back
          </Button>
        }
      />
      {template.error && <ErrorAlert title="Could not load the template" error={template.error} />}
      <Stack gap="lg">
        <Card withBorder padding="lg">
          <Stack gap="md">
            {version && (
              <Text size="sm">
                Columns: <Text span ff="monospace">{importColumns(version).join(', ')}</Text> (the first row names them; title, priority and deadline are optional).
              </Text>
            )}
            <SegmentedControl
              aria-label="How to give the rows"
              value={mode}
              onChange={(v) => setMode(v as 'file' | 'paste')}
              data={[
                { value: 'file', label: 'Choose a file' },
                { value: 'paste', label: 'Paste rows' },
              ]}
            />
            {mode === 'file' ? (
              <label>
                <Text size="sm" fw={500} mb={4}>
                  CSV file
                </Text>
                <input type="file" accept=".csv,text/csv" aria-label="CSV file" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
              </label>
            ) : (
              <Textarea label="Rows as CSV" description="The header row first." autosize minRows={6} value={text} onChange={(e) => setText(e.currentTarget.value)} />
            )}
            {upload.error && <ErrorAlert title="Could not read the rows" error={upload.error} />}
            <Group>
              <Button onClick={() => upload.mutate()} loading={upload.isPending} disabled={!canUpload || !templateId}>
                Preview
              </Button>
            </Group>
          </Stack>
        </Card>

        {im && (
          <Card withBorder padding="lg" aria-label="Import preview">
            <Stack gap="md">
              <Group justify="space-between">
                <Title order={2} size="h4">
                  {im.total.toLocaleString('en')} rows: {im.valid.toLocaleString('en')} valid, {im.rejected.toLocaleString('en')} rejected
                </Title>
                <Badge color={STATUS_COLOR[im.status]} data-testid="import-status">
                  {im.status}
                </Badge>
              </Group>
              {im.status !== 'preview' && (
                <Stack gap={4}>
                  <Progress value={im.valid ? (im.created / im.valid) * 100 : 100} aria-label="Tasks created" animated={im.status === 'running'} />
                  <Text size="sm" data-testid="import-progress">
                    {progressLabel(im)}
                  </Text>
                </Stack>
              )}
              {im.error && <Alert color="red">{im.error}</Alert>}
              {confirm.error && <ErrorAlert title="Could not start the import" error={confirm.error} />}
              {report.error && <Alert color="red">{errorMessage(report.error)}</Alert>}
              <Group>
                {im.status === 'preview' && (
                  <Button onClick={() => confirm.mutate()} loading={confirm.isPending} disabled={im.valid === 0}>
                    Create {im.valid.toLocaleString('en')} tasks
                  </Button>
                )}
                {im.rejected > 0 && (
                  <Button variant="default" onClick={() => report.mutate()} loading={report.isPending}>
                    Download rejected rows
                  </Button>
                )}
              </Group>
              <RowsTable im={im} />
            </Stack>
          </Card>
        )}
      </Stack>
    </>
  );
}

function RowsTable({ im }: { im: ImportView }) {
  return (
    <Table.ScrollContainer minWidth={500}>
      <Table striped aria-label="Rows">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Row</Table.Th>
            {im.columns.map((c) => (
              <Table.Th key={c}>{c}</Table.Th>
            ))}
            <Table.Th>Errors</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {im.rows.map((r) => (
            <Table.Tr key={r.rowNumber} data-testid={`import-row-${r.rowNumber}`}>
              <Table.Td>{r.rowNumber}</Table.Td>
              {im.columns.map((c) => (
                <Table.Td key={c}>{r.values[c]}</Table.Td>
              ))}
              <Table.Td c={r.errors.length ? 'red' : undefined}>{r.errors.length ? r.errors.map((e) => (e.column ? `${e.column} ${e.message}` : e.message)).join('; ') : 'OK'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {im.total > im.rows.length && (
        <Text size="sm" c="dimmed" mt="xs">
          The first {im.rows.length} of {im.total.toLocaleString('en')} rows; the report lists every rejected one.
        </Text>
      )}
    </Table.ScrollContainer>
  );
}
