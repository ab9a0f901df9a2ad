import { RATING_COMMENT_MAX, ratingBody, type TaskView } from '@handoff/contracts';
import { Alert, Button, Card, Group, Rating, Stack, Text, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api } from '../api/endpoints';
import { errorMessage } from '../api/http';
import { qk } from '../api/query-keys';
import { useUser } from '../auth/auth-context';
import { contractResolver, focusFirstError, formLevelError, showServerFieldError } from '../forms/contract-form';
import { formatDateTime } from '../lib/format';

interface Values {
  stars: number;
  comment: string;
}

const FIELDS = ['stars', 'comment'] as const;
const validateBody = contractResolver<Values>(ratingBody, { toBody: (v) => ({ stars: v.stars, comment: v.comment }) });

/**
 * The client's rating of accepted work: stars and a comment, changeable until the
 * window closes. Others who may read the task see the rating, if there is one.
 */
export function RatingControl({ task }: { task: TaskView }) {
  const user = useUser();
  const client = useQueryClient();
  const query = useQuery({ queryKey: qk.taskRating(task.id), queryFn: () => api.taskRating(task.id), enabled: task.status === 'accepted' });
  const current = query.data?.rating ?? null;
  const until = query.data?.editableUntil ? new Date(query.data.editableUntil) : null;
  const open = user.role === 'client' && until !== null && until.getTime() > Date.now();

  const form = useForm<Values>({
    initialValues: { stars: current?.stars ?? 0, comment: current?.comment ?? '' },
    // No star chosen is 0 in the control; the contract's words for it would be "must be at least 1".
    validate: (v) => (v.stars < 1 ? { stars: 'Choose 1 to 5 stars' } : validateBody(v)),
  });
  // Once the stored rating has loaded, the form starts from it (once: later edits are the user's).
  const loaded = query.data !== undefined;
  useEffect(() => {
    if (loaded && !form.initialized) form.initialize({ stars: current?.stars ?? 0, comment: current?.comment ?? '' });
  }, [loaded, current, form]);

  const save = useMutation({
    mutationFn: (v: Values) => api.rateTask(task.id, { stars: v.stars, comment: v.comment.trim() }),
    onSuccess: (rating) => client.setQueryData(qk.taskRating(task.id), (held: typeof query.data) => (held ? { ...held, rating } : held)),
    onError: (e) => showServerFieldError(form, e, FIELDS),
  });

  if (task.status !== 'accepted' || !query.data) return null;
  if (!open && !current) {
    if (user.role !== 'client') return null;
    return (
      <Text size="sm" c="dimmed">
        {until ? `Ratings closed on ${formatDateTime(until.toISOString())}.` : 'Accepted by the review timer: this work has no rating.'}
      </Text>
    );
  }

  const problem = formLevelError(save.error, FIELDS);
  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Title order={3} size="h5">
          {open ? 'Rate this work' : 'Rating'}
        </Title>
        {open ? (
          <form onSubmit={form.onSubmit((v) => save.mutate(v), focusFirstError)}>
            <Stack gap="sm">
              <div>
                <Rating
                  aria-label="Stars"
                  value={form.values.stars}
                  onChange={(stars) => form.setFieldValue('stars', stars)}
                  size="lg"
                  count={5}
                />
                {form.errors.stars && (
                  <Text size="xs" c="red" role="alert">
                    {form.errors.stars}
                  </Text>
                )}
              </div>
              <Textarea label="Comment" description="Optional; the assistant sees it." autosize minRows={2} maxRows={8} maxLength={RATING_COMMENT_MAX} {...form.getInputProps('comment')} />
              {problem && <Alert color="red">{errorMessage(problem)}</Alert>}
              <Group>
                <Button type="submit" loading={save.isPending}>
                  {current ? 'Update rating' : 'Save rating'}
                </Button>
                {until && (
                  <Text size="xs" c="dimmed">
                    You can change it until {formatDateTime(until.toISOString())}.
                  </Text>
                )}
              </Group>
              {save.isSuccess && (
                <Text size="sm" c="green" role="status">
                  Rating saved.
                </Text>
              )}
            </Stack>
          </form>
        ) : (
          current && (
            <Stack gap={4}>
              <Rating value={current.stars} readOnly aria-label={`${current.stars} of 5 stars`} />
              {current.comment && <Text size="sm">“{current.comment}”</Text>}
            </Stack>
          )
        )}
      </Stack>
    </Card>
  );
}
