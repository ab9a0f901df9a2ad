import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createApp } from './app.js';
import { AppModule } from './app.module.js';
import { createLogger, PinoNestLogger } from './common/logging/logger.js';
import { ConfigError, loadConfig } from './config/config.js';

const SHUTDOWN_CEILING_MS = 25_000;

/**
 * On SIGTERM/SIGINT: stop taking work and close in order (HTTP and sockets,
 * then workers, which let active jobs finish or hand them back, then
 * connections), and exit 0. If a dependency is down and closing hangs,
 * exit anyway after a ceiling.
 */
function closeOnSignal(app: INestApplicationContext): void {
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      console.log(`${signal} received: shutting down`);
      setTimeout(() => process.exit(1), SHUTDOWN_CEILING_MS).unref();
      app.close().then(
        () => process.exit(0),
        (e: unknown) => {
          console.error('shutdown failed', e);
          process.exit(1);
        },
      );
    });
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.role === 'worker') {
    const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: new PinoNestLogger(createLogger(config)) });
    closeOnSignal(ctx);
    console.log('Handoff worker is running');
    return;
  }
  const app = await createApp(config);
  closeOnSignal(app);
  await app.listen({ port: config.port, host: config.host });
  console.log(`Handoff is serving on ${config.publicUrl} (API under /api, docs at /api/docs)`);
}

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
