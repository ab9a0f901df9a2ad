// The same one-route Nest application on either HTTP adapter (ADAPTER=fastify
// or express), so the adapter is chosen by measurement rather than by habit.
// Decorators are applied by hand: this file runs as plain JavaScript.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

class HealthController {
  live() {
    return { status: 'ok' };
  }
}
Get('live')(HealthController.prototype, 'live', Object.getOwnPropertyDescriptor(HealthController.prototype, 'live'));
Controller('health')(HealthController);

class AppModule {}
Module({ controllers: [HealthController] })(AppModule);

async function adapter(kind) {
  if (kind === 'express') {
    const { ExpressAdapter } = await import('@nestjs/platform-express');
    return new ExpressAdapter();
  }
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  return new FastifyAdapter();
}

const app = await NestFactory.create(AppModule, await adapter(process.env.ADAPTER ?? 'fastify'), { logger: false });
app.setGlobalPrefix('api');
await app.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
