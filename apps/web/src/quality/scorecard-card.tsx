import type { ScorecardView } from '@handoff/contracts';
import { Card, Group, SegmentedControl, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/endpoints';
import { qk } from '../api/query-keys';
import { QueryState } from '../components/query-state';

const percent = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${Math.round(r * 100)} %`);
const number = (n: number | null | undefined) => (n === null || n === undefined ? '—' : String(n));

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fw={700} size="lg">
        {value}
      </Text>
    </div>
  );
}

/** The figures a scorecard holds; a client's (rating and on-time rate) has fewer. */
export function ScorecardFigures({ card }: { card: ScorecardView }) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="md">
      {card.tasksDone !== undefined && <Figure label="Tasks done" value={String(card.tasksDone)} />}
      <Figure label="On time" value={percent(card.onTimeRate)} />
      {card.firstPassRate !== undefined && <Figure label="Accepted first time" value={percent(card.firstPassRate)} />}
      {card.revisionsPerTask !== undefined && <Figure label="Revisions per task" value={number(card.revisionsPerTask)} />}
      <Figure label="Average rating" value={card.averageRating === null ? '—' : `${card.averageRating} ★`} />
      <Figure label="Ratings" value={String(card.ratingCount)} />
    </SimpleGrid>
  );
}

/** An assistant's scorecard over 30 or 90 days. */
export function ScorecardCard({ assistantId, title = 'Scorecard' }: { assistantId: string; title?: string }) {
  const [window, setWindow] = useState<'30' | '90'>('30');
  const days = Number(window) as 30 | 90;
  const query = useQuery({ queryKey: qk.scorecard(assistantId, days), queryFn: () => api.scorecard(assistantId, days) });
  return (
    <Card withBorder padding="lg">
      <Stack gap="md">
        <Group justify="space-between">
          <Title order={2} size="h4">
            {title}
          </Title>
          <SegmentedControl
            size="xs"
            value={window}
            onChange={(v) => setWindow(v as '30' | '90')}
            data={[
              { value: '30', label: '30 days' },
              { value: '90', label: '90 days' },
            ]}
            aria-label="Window"
          />
        </Group>
        <QueryState isPending={query.isPending} error={query.error} onRetry={() => void query.refetch()}>
          {query.data && <ScorecardFigures card={query.data} />}
        </QueryState>
      </Stack>
    </Card>
  );
}
