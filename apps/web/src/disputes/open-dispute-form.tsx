import { LIMITS, openDisputeBody, type TaskView } from '@handoff/contracts';
import { Button, Group, Stack, Text, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { qk } from '../api/query-keys';
import { contractResolver, focusFirstError, showServerFieldError } from '../forms/contract-form';

/**
 * The client's third answer to returned work, beside accept and revise: a
 * dispute with a reason. The review timer stops until an admin resolves it.
 */
export function OpenDisputeForm({ task }: { task: TaskView }) {
  const client = useQueryClient();
  const form = useForm({ initialValues: { reason: '' }, validate: contractResolver(openDisputeBody, { toBody: (v) => v }) });
  const open = useMutation({
    mutationFn: (reason: string) => api.openDispute(task.id, reason),
    onSuccess: () => {
      form.reset();
      void client.invalidateQueries({ queryKey: qk.taskDetail(task.id) });
      void client.invalidateQueries({ queryKey: qk.disputes });
    },
    onError: (e) => showServerFieldError(form, e, ['reason']),
  });
  return (
    <form onSubmit={form.onSubmit(({ reason }) => open.mutate(reason.trim()), focusFirstError)} aria-label="Open a dispute">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Not what you asked for, and a revision won’t fix it? Open a dispute: the work is not accepted automatically while an admin looks at it.
        </Text>
        <Textarea label="Reason for the dispute" autosize minRows={2} maxRows={8} maxLength={LIMITS.reasonMax} {...form.getInputProps('reason')} />
        <Group>
          <Button type="submit" color="red" variant="light" loading={open.isPending} disabled={!form.values.reason.trim()}>
            Open dispute
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
