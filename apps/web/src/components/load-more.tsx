import { Button, Center } from '@mantine/core';

/** The button under a paged list; renders nothing when there is no next page. */
export function LoadMore({ hasMore, loading, onLoadMore }: { hasMore?: boolean; loading?: boolean; onLoadMore?: () => void }) {
  if (!hasMore || !onLoadMore) return null;
  return (
    <Center p="md">
      <Button variant="default" onClick={onLoadMore} loading={loading}>
        Load more
      </Button>
    </Center>
  );
}
