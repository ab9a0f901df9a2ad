import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { dataSourceOptions, survivePoolClientErrors } from './data-source.js';
import { REPOSITORIES } from './repositories.js';
import { prepareStatements } from './sql.js';

/**
 * The pool and the repositories over it, one of each per process. Global on purpose: @nestjs/typeorm
 * makes the DataSource global anyway, and a table's repository is its one door for every folder that reads it.
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
      providers: [...REPOSITORIES],
      exports: [...REPOSITORIES],
    };
  }
}
