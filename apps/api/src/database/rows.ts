import { getMetadataArgsStorage } from 'typeorm';

type Pair = readonly [column: string, property: string, timestamp: boolean];

/**
 * A row as node-postgres (or `to_jsonb`) hands it back, by column name, turned
 * into its entity's shape, by property name. The pairs come from the entity's
 * own decorators, so a column added to the entity is mapped without a second
 * list; `extra` names the joined columns a read adds (`assignee_name`).
 * Timestamps that arrive as JSON strings become Dates; unknown columns are dropped.
 */
export function rowMapper<T, X = unknown>(entity: abstract new () => T, extra: Readonly<Record<string, keyof X & string>> = {}): (raw: Record<string, unknown>) => T & X {
  let pairs: Pair[] | undefined;
  const build = (): Pair[] => [
    ...getMetadataArgsStorage()
      .columns.filter((c) => c.target === entity)
      .map((c): Pair => [c.options.name ?? c.propertyName, c.propertyName, c.options.type === 'timestamptz']),
    ...Object.entries(extra).map(([column, property]): Pair => [column, property, false]),
  ];
  return (raw) => {
    pairs ??= build();
    const out: Record<string, unknown> = {};
    for (const [column, property, timestamp] of pairs) {
      if (!(column in raw)) continue;
      const v = raw[column];
      out[property] = timestamp && typeof v === 'string' ? new Date(v) : v;
    }
    return out as T & X;
  };
}
