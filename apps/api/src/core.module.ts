import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import { SessionService } from './common/auth/session.service.js';
import { TokensService } from './common/auth/tokens.service.js';
import { LoginThrottle } from './common/rate-limit/login-throttle.js';
import { HandoffThrottlerGuard, throttlerOptions } from './common/rate-limit/rate-limit.js';
import { APP_CONFIG, type AppConfig } from './config/config.js';
import { DataSource } from 'typeorm';
import { dataSourceOptions, survivePoolClientErrors } from './database/data-source.js';
import { REPOSITORIES } from './database/repositories.js';
import { prepareStatements } from './database/sql.js';
import { REDIS, RedisModule } from './redis/redis.module.js';

/** What every domain module may inject: config, the database and its repositories, Redis, sessions and limits. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...dataSourceOptions(config), retryAttempts: 3, retryDelay: 1000 }),
          dataSourceFactory: async (options) => {
            const ds = survivePoolClientErrors(await new DataSource(options!).initialize());
            return config.databasePreparedStatements ? prepareStatements(ds) : ds;
          },
        }),
        RedisModule,
        ThrottlerModule.forRootAsync({ inject: [REDIS], useFactory: (redis: Redis) => throttlerOptions(config, redis) }),
      ],
      providers: [{ provide: APP_CONFIG, useValue: config }, ...REPOSITORIES, TokensService, SessionService, HandoffThrottlerGuard, LoginThrottle],
      exports: [APP_CONFIG, ...REPOSITORIES, TokensService, SessionService, HandoffThrottlerGuard, LoginThrottle],
    };
  }
}
