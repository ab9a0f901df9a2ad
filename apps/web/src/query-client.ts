import { QueryClient } from '@tanstack/react-query';
import { isApiError } from './api/http';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Live events keep the cache fresh; refetching on every mount would only add load.
        staleTime: 30_000,
        // A 4xx will not change by asking again.
        retry: (count, e) => !(isApiError(e) && e.status >= 400 && e.status < 500) && count < 2,
      },
      mutations: { retry: false },
    },
  });
}
