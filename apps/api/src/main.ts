import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createApp } from './app.js';
import { AppModule } from './app.module.js';
import { createLogger, PinoNestLogger } from './common/logging/logger.js';
import { ConfigError, loadConfig } from './config/config.js';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.role === 'worker') {
    // Processors only: no HTTP port. Shutdown hooks close the workers on SIGTERM,
    // which lets active jobs finish (or hands them back) before the process exits.
    const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: new PinoNestLogger(createLogger(config)) });
    ctx.enableShutdownHooks();
    console.log('Handoff worker is running');
    return;
  }
  const app = await createApp(config);
  await app.listen({ port: config.port, host: config.host });
  console.log(`Handoff is serving on ${config.publicUrl} (API under /api, docs at /api/docs)`);
}

// Graceful shutdown has a ceiling: if a dependency is down and closing hangs, exit anyway.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => setTimeout(() => process.exit(1), 25_000).unref());
}

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
