import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { dataSourceOptions, survivePoolClientErrors } from './data-source.js';
import { OutboxSignal } from './outbox-signal.js';
import { prepareStatements } from './sql.js';

/**
 * The pool and the commit signal, one of each per process. Global on purpose: @nestjs/typeorm makes
 * the DataSource global anyway, and every writer that commits outbox rows kicks the signal.
 */
@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...dataSourceOptions(config), retryAttempts: 3, retryDelay: 1000 }),
          dataSourceFactory: async (options) => {
            const ds = survivePoolClientErrors(await new DataSource(options!).initialize());
            return config.databasePreparedStatements ? prepareStatements(ds) : ds;
          },
        }),
      ],
      providers: [OutboxSignal],
      exports: [OutboxSignal],
    };
  }
}
