import { DISPUTE_OUTCOMES, LIMITS, type DisputeOutcome, type DisputeView } from '@handoff/contracts';
import { Anchor, Button, Card, Group, NumberInput, SegmentedControl, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api/endpoints';
import { errorMessage } from '../api/http';
import { qk } from '../api/query-keys';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { QueryState } from '../components/query-state';
import { formatDateTime } from '../lib/format';
import { toCents } from './rate-card-page';

const OUTCOME_LABELS: Record<DisputeOutcome, string> = { rework: 'Rework', refund: 'Refund', reassign: 'Reassign' };

/** Open disputes, oldest first, each with its resolution: rework, a partial or full refund, or reassignment. */
export function DisputesPage() {
  const open = useQuery({ queryKey: qk.disputeList('open'), queryFn: () => api.disputes('open') });
  const items = open.data?.items ?? [];
  return (
    <>
      <PageHeader title="Disputes" description="Returned work a client contested. The review timer is stopped until you resolve it; a refund goes to the ledger with the dispute as its reason." />
      <QueryState isPending={open.isPending} error={open.error} onRetry={() => void open.refetch()}>
        {items.length === 0 ? (
          <EmptyState title="No open disputes">Clients’ disputes of returned work show up here.</EmptyState>
        ) : (
          <Stack gap="md">
            {items.map((d) => (
              <DisputeCard key={d.id} dispute={d} />
            ))}
          </Stack>
        )}
      </QueryState>
    </>
  );
}

function DisputeCard({ dispute }: { dispute: DisputeView }) {
  const client = useQueryClient();
  const [outcome, setOutcome] = useState<DisputeOutcome>('rework');
  const [amount, setAmount] = useState<number | string>('');
  const [note, setNote] = useState('');
  const cents = toCents(amount);
  const resolve = useMutation({
    mutationFn: () => api.resolveDispute(dispute.id, { outcome, note: note.trim(), ...(outcome === 'refund' ? { amountCents: cents ?? 0 } : {}) }),
    onSuccess: () => {
      notifications.show({ message: `Resolved: ${OUTCOME_LABELS[outcome].toLowerCase()}.`, color: 'green' });
      void client.invalidateQueries({ queryKey: qk.disputes });
    },
    onError: (e) => notifications.show({ message: errorMessage(e), color: 'red' }),
  });
  const ready = note.trim().length > 0 && (outcome !== 'refund' || cents !== null);
  return (
    <Card withBorder padding="lg" data-testid={`dispute-${dispute.id}`}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Anchor component={Link} to={`/admin/tasks/${dispute.taskId}`} fw={600}>
            {dispute.taskTitle}
          </Anchor>
          <Text size="xs" c="dimmed">
            Opened {formatDateTime(dispute.createdAt)}
          </Text>
        </Group>
        <Text size="sm">
          <b>Client:</b> {dispute.reason}
        </Text>
        <Text size="sm" c={dispute.answer ? undefined : 'dimmed'}>
          <b>Assistant:</b> {dispute.answer ?? 'No answer yet.'}
        </Text>
        <SegmentedControl
          aria-label="Outcome"
          value={outcome}
          onChange={(v) => setOutcome(v as DisputeOutcome)}
          data={DISPUTE_OUTCOMES.map((o) => ({ value: o, label: OUTCOME_LABELS[o] }))}
        />
        {outcome === 'refund' && (
          <NumberInput label="Refund (USD)" description="Partial or the whole charge; never more than is left of the task’s bill." min={0.01} decimalScale={2} value={amount} onChange={setAmount} />
        )}
        <Textarea label="Note" description="Why; for rework, what to change (the assistant sees it)." maxLength={LIMITS.reasonMax} autosize minRows={2} value={note} onChange={(e) => setNote(e.currentTarget.value)} />
        <Group>
          <Button onClick={() => resolve.mutate()} loading={resolve.isPending} disabled={!ready}>
            Resolve
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
