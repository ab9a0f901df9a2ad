import { CATEGORY_LABELS } from '@handoff/contracts';
import { Anchor, Badge, Card, Table } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api/endpoints';
import { qk } from '../api/query-keys';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { QueryState } from '../components/query-state';

/** The organization's templates and the starters, each with a way into how its process has gone. */
export function TemplatesPage() {
  const templates = useQuery({ queryKey: qk.templates, queryFn: api.templates, staleTime: 60_000 });
  return (
    <>
      <PageHeader title="Templates" description="Your processes: how often each ran, how it went, and what it cost." />
      <QueryState isPending={templates.isPending} error={templates.error} onRetry={() => void templates.refetch()}>
        <Card withBorder padding={0}>
          {templates.data?.length === 0 ? (
            <EmptyState title="No templates yet">A template appears here once your organization has one.</EmptyState>
          ) : (
            <Table.ScrollContainer minWidth={520}>
              <Table aria-label="Templates" verticalSpacing="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Category</Table.Th>
                    <Table.Th>Version</Table.Th>
                    <Table.Th>Process</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {templates.data?.map((t) => (
                    <Table.Tr key={t.id} data-testid={`template-row-${t.id}`}>
                      <Table.Td>
                        {t.name} {t.starter && <Badge variant="light" color="gray">Starter</Badge>}
                      </Table.Td>
                      <Table.Td>{CATEGORY_LABELS[t.category]}</Table.Td>
                      <Table.Td>v{t.version}</Table.Td>
                      <Table.Td>
                        <Anchor component={Link} to={`/client/templates/${t.id}`} aria-label={`View process of ${t.name}`}>
                          View process
                        </Anchor>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Card>
      </QueryState>
    </>
  );
}
