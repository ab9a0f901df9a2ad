import { createWebhookBody, WEBHOOK_EVENTS, type WebhookDeliveryView, type WebhookView, type WebhookWithSecret } from '@handoff/contracts';
import { Alert, Badge, Button, Card, Checkbox, Code, CopyButton, Group, Modal, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { errorMessage } from '../api/http';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { QueryState } from '../components/query-state';
import { contractResolver, focusFirstError, formLevelError, showServerFieldError } from '../forms/contract-form';
import { formatDateTime } from '../lib/format';
import { webhookKeys, webhooksApi } from './webhooks-api';

const FIELDS = ['url', 'events', 'description'] as const;
const STATUS_COLORS: Record<WebhookDeliveryView['status'], string> = { pending: 'gray', retrying: 'orange', delivered: 'green', failed: 'red' };

interface FormValues {
  url: string;
  events: string[];
  description: string;
}

const toBody = (v: FormValues) => ({ url: v.url.trim(), events: v.events, ...(v.description.trim() ? { description: v.description.trim() } : {}) });

/** Webhook endpoints of the caller's organization (clients) or of the platform (admins). */
export function IntegrationsPage() {
  const list = useQuery({ queryKey: webhookKeys.list, queryFn: webhooksApi.list });
  const [adding, setAdding] = useState(false);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const endpoints = list.data?.items ?? [];
  return (
    <>
      <PageHeader
        title="Integrations"
        description="Webhooks send signed events to your systems as they happen. Each delivery is retried for 24 hours; an endpoint failing for that long is turned off."
        actions={!adding && <Button onClick={() => setAdding(true)}>Add endpoint</Button>}
      />
      {adding && (
        <AddEndpoint
          onDone={(created) => {
            setAdding(false);
            if (created) setSecret({ url: created.url, secret: created.secret });
          }}
        />
      )}
      <QueryState isPending={list.isPending} error={list.error} onRetry={() => void list.refetch()}>
        {endpoints.length === 0 && !adding ? (
          <EmptyState title="No endpoints yet">Add an endpoint to receive task and billing events.</EmptyState>
        ) : (
          <Stack gap="md">
            {endpoints.map((e) => (
              <EndpointCard key={e.id} endpoint={e} onSecret={(s) => setSecret({ url: e.url, secret: s })} />
            ))}
          </Stack>
        )}
      </QueryState>
      <SecretModal shown={secret} onClose={() => setSecret(null)} />
    </>
  );
}

function SecretModal({ shown, onClose }: { shown: { url: string; secret: string } | null; onClose: () => void }) {
  return (
    <Modal opened={shown !== null} onClose={onClose} title="Signing secret" size="lg">
      {shown && (
        <Stack>
          <Alert color="yellow">Copy it now: it is shown this once. Deliveries to {shown.url} are signed with it (Standard Webhooks, HMAC-SHA256).</Alert>
          <Code block data-testid="webhook-secret">
            {shown.secret}
          </Code>
          <Group justify="flex-end">
            <CopyButton value={shown.secret}>{({ copied, copy }) => <Button variant="light" onClick={copy}>{copied ? 'Copied' : 'Copy'}</Button>}</CopyButton>
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

function AddEndpoint({ onDone }: { onDone: (created: WebhookWithSecret | null) => void }) {
  const client = useQueryClient();
  const form = useForm<FormValues>({
    initialValues: { url: '', events: [], description: '' },
    validate: contractResolver(createWebhookBody, { toBody, required: { url: 'Enter the URL to send events to', events: 'Pick at least one event' } }),
  });
  const create = useMutation({
    mutationFn: (v: FormValues) => webhooksApi.create(toBody(v) as Parameters<typeof webhooksApi.create>[0]),
    onSuccess: (created) => {
      void client.invalidateQueries({ queryKey: webhookKeys.all });
      onDone(created);
    },
    onError: (e) => {
      showServerFieldError(form, e, FIELDS);
    },
  });
  const formError = formLevelError(create.error, FIELDS);
  return (
    <Card withBorder mb="lg">
      <form noValidate onSubmit={form.onSubmit((v) => create.mutate(v), focusFirstError)}>
        <Stack>
          <TextInput label="Endpoint URL" placeholder="https://example.com/hooks/handoff" required {...form.getInputProps('url')} />
          <Checkbox.Group label="Events" description="What this endpoint hears" required {...form.getInputProps('events')}>
            <SimpleGrid cols={{ base: 1, sm: 3 }} mt="xs">
              {WEBHOOK_EVENTS.map((name) => (
                <Checkbox key={name} value={name} label={name} />
              ))}
            </SimpleGrid>
          </Checkbox.Group>
          <TextInput label="Description" placeholder="Optional" {...form.getInputProps('description')} />
          {formError && (
            <Alert color="red" role="alert">
              {errorMessage(formError)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => onDone(null)}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Add endpoint
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function EndpointCard({ endpoint: e, onSecret }: { endpoint: WebhookView; onSecret: (secret: string) => void }) {
  const client = useQueryClient();
  const [showLog, setShowLog] = useState(false);
  const refresh = () => void client.invalidateQueries({ queryKey: webhookKeys.all });
  const fail = (what: string) => (err: unknown) => notifications.show({ title: `Could not ${what}`, message: errorMessage(err), color: 'red' });
  const ping = useMutation({
    mutationFn: () => webhooksApi.ping(e.id),
    onSuccess: () => {
      notifications.show({ message: 'Ping queued; its outcome appears in the delivery log.', color: 'green' });
      setShowLog(true);
      refresh();
    },
    onError: fail('ping'),
  });
  const rotate = useMutation({ mutationFn: () => webhooksApi.rotateSecret(e.id), onSuccess: (r) => onSecret(r.secret), onError: fail('rotate the secret') });
  const toggle = useMutation({ mutationFn: () => webhooksApi.update(e.id, { enabled: !e.enabled }), onSuccess: refresh, onError: fail('change the endpoint') });
  const remove = useMutation({ mutationFn: () => webhooksApi.remove(e.id), onSuccess: refresh, onError: fail('delete the endpoint') });
  return (
    <Card withBorder data-testid={`webhook-${e.id}`}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start">
          <Stack gap={2}>
            <Text fw={600} style={{ wordBreak: 'break-all' }}>
              {e.url}
            </Text>
            {e.description && (
              <Text size="sm" c="dimmed">
                {e.description}
              </Text>
            )}
          </Stack>
          <Badge color={e.enabled ? 'green' : 'red'}>{e.enabled ? 'Enabled' : 'Disabled'}</Badge>
        </Group>
        {e.disabled && (
          <Alert color="red" title="This endpoint is turned off">
            {e.disabled.reason} (since {formatDateTime(e.disabled.at)}). Fix the receiver, then turn it on and redeliver what failed.
          </Alert>
        )}
        {e.enabled && e.failingSince && <Alert color="orange">Every delivery has failed since {formatDateTime(e.failingSince)}.</Alert>}
        <Group gap={6}>
          {e.events.map((name) => (
            <Badge key={name} variant="light" size="sm">
              {name}
            </Badge>
          ))}
        </Group>
        <Group gap="xs" mt="xs">
          <Button size="xs" variant="light" onClick={() => setShowLog((s) => !s)}>
            {showLog ? 'Hide delivery log' : 'Delivery log'}
          </Button>
          <Button size="xs" variant="light" onClick={() => ping.mutate()} loading={ping.isPending}>
            Send ping
          </Button>
          <Button size="xs" variant="light" onClick={() => window.confirm('A new secret replaces this one; the old one keeps signing for 24 hours. Continue?') && rotate.mutate()} loading={rotate.isPending}>
            Rotate secret
          </Button>
          <Button size="xs" variant="light" color={e.enabled ? 'orange' : 'green'} onClick={() => toggle.mutate()} loading={toggle.isPending}>
            {e.enabled ? 'Turn off' : 'Turn on'}
          </Button>
          <Button size="xs" variant="light" color="red" onClick={() => window.confirm('Delete this endpoint and its delivery log?') && remove.mutate()} loading={remove.isPending}>
            Delete
          </Button>
        </Group>
        {showLog && <DeliveryLog endpointId={e.id} />}
      </Stack>
    </Card>
  );
}

function DeliveryLog({ endpointId }: { endpointId: string }) {
  const client = useQueryClient();
  const [open, setOpen] = useState<string | null>(null);
  // Pending and retrying deliveries move on their own: look again while any is under way.
  const log = useQuery({
    queryKey: webhookKeys.deliveries(endpointId),
    queryFn: () => webhooksApi.deliveries(endpointId),
    refetchInterval: (q) => (q.state.data?.items.some((d) => d.status === 'pending' || d.status === 'retrying') ? 2_000 : false),
  });
  const redeliver = useMutation({
    mutationFn: (id: string) => webhooksApi.redeliver(endpointId, id),
    onSuccess: () => void client.invalidateQueries({ queryKey: webhookKeys.deliveries(endpointId) }),
    onError: (err) => notifications.show({ title: 'Could not redeliver', message: errorMessage(err), color: 'red' }),
  });
  const items = log.data?.items ?? [];
  return (
    <QueryState isPending={log.isPending} error={log.error} onRetry={() => void log.refetch()}>
      {items.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing sent yet.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={760} type="native">
          <Table verticalSpacing="xs" aria-label="Delivery log">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Event</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Attempts</Table.Th>
                <Table.Th>Response</Table.Th>
                <Table.Th>Duration</Table.Th>
                <Table.Th>Time</Table.Th>
                <Table.Th>Next retry</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((d) => (
                <Fragment key={d.id}>
                  <Table.Tr>
                    <Table.Td>
                      <Button size="compact-xs" variant="subtle" onClick={() => setOpen(open === d.id ? null : d.id)} aria-expanded={open === d.id}>
                        {d.event}
                      </Button>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={STATUS_COLORS[d.status]}>{d.status}</Badge>
                    </Table.Td>
                    <Table.Td>{d.attempts}</Table.Td>
                    <Table.Td>{d.responseStatus ?? (d.error ? 'no answer' : '—')}</Table.Td>
                    <Table.Td>{d.durationMs === null ? '—' : `${d.durationMs} ms`}</Table.Td>
                    <Table.Td>{formatDateTime(d.lastAttemptAt ?? d.createdAt)}</Table.Td>
                    <Table.Td>{d.nextRetryAt ? formatDateTime(d.nextRetryAt) : '—'}</Table.Td>
                    <Table.Td>
                      {(d.status === 'delivered' || d.status === 'failed') && (
                        <Button size="compact-xs" variant="light" onClick={() => redeliver.mutate(d.id)} loading={redeliver.isPending && redeliver.variables === d.id}>
                          Redeliver
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                  {open === d.id && (
                    <Table.Tr>
                      <Table.Td colSpan={8}>
                        <Stack gap="xs">
                          <Text size="xs" c="dimmed">
                            webhook-id {d.messageId}
                          </Text>
                          <Code block>{d.requestBody}</Code>
                          {d.error && <Text size="sm" c="red">{d.error}</Text>}
                          {d.log.map((a) => (
                            <Text key={a.attempt} size="xs">
                              #{a.attempt} {formatDateTime(a.at)}: {a.outcome}
                              {a.responseStatus !== null ? ` (HTTP ${a.responseStatus})` : ''}, {a.durationMs} ms{a.error ? `: ${a.error}` : ''}
                            </Text>
                          ))}
                        </Stack>
                      </Table.Td>
                    </Table.Tr>
                  )}
                </Fragment>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </QueryState>
  );
}
