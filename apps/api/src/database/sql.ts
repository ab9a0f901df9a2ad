import pg from 'pg';

// bigint sums and counts come back as strings by default; every amount here
// is far below 2^53, so numbers are the safer shape for the API.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

/**
 * TypeORM's `query()` answers an UPDATE or DELETE with `[rows, count]` and
 * anything else with `rows`; this returns the rows either way.
 */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}
