import './sql.js';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';

export function dataSourceOptions(config: Pick<AppConfig, 'databaseUrl' | 'databasePoolSize'>): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: {
      max: config.databasePoolSize,
      // A request waiting this long for a connection gets a 503 instead of hanging.
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      statement_timeout: 15_000,
      application_name: 'handoff',
    },
  };
}

/** A standalone DataSource for the CLI (migrate, seed) outside of Nest. */
export function createDataSource(config: Pick<AppConfig, 'databaseUrl' | 'databasePoolSize'>): DataSource {
  return new DataSource(dataSourceOptions(config));
}

/**
 * pg-pool takes its error listener off a client while it is checked out, so a
 * connection cut between two statements of a transaction (a terminated
 * backend, a failover) emits 'error' with no listener, which ends the process.
 * The statement in flight still fails (503) and the pool discards the client
 * when it comes back; the process stays up.
 */
export function survivePoolClientErrors(ds: DataSource): DataSource {
  const pool = (ds.driver as unknown as { master?: { on(event: 'connect', fn: (client: { on(e: 'error', fn: () => void): void }) => void): void } }).master;
  pool?.on('connect', (client) => client.on('error', () => undefined));
  return ds;
}
