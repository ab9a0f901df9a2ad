import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Controller, Get, Post, RequestMethod, type DynamicModule, type Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { AppModule } from '../../app.module.js';
import { loadConfig } from '../../config/config.js';
import { IS_PUBLIC, Public } from '../auth/decorators.js';
import { byIp, RATE_LIMIT, RateLimit } from '../rate-limit/rate-limit.js';
import { GlobalGuards, GuardedController } from './global-guards.js';

/**
 * What is wrong with a controller's guarding: nothing when it carries
 * `GlobalGuards`; otherwise, each route that would have needed them (a
 * write, a signed-in route, a rate limit).
 */
function unguardedRoutes(controller: Type): string[] {
  const guards: unknown[] = Reflect.getMetadata(GUARDS_METADATA, controller) ?? [];
  if (guards.includes(GlobalGuards)) return [];
  const problems: string[] = [];
  const proto = controller.prototype as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const handler = proto[name];
    if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
    const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
    const route = `${controller.name}.${name}`;
    if (method !== 'GET') problems.push(`${route} is a ${method}`);
    if (Reflect.getMetadata(IS_PUBLIC, handler) !== true && Reflect.getMetadata(IS_PUBLIC, controller) !== true) problems.push(`${route} is not public`);
    if (Reflect.getMetadata(RATE_LIMIT, handler) || Reflect.getMetadata(RATE_LIMIT, controller)) problems.push(`${route} has a rate limit`);
  }
  return problems;
}

/** Every controller a module brings, through its imports, each once. */
function controllersOf(root: Type | DynamicModule): Type[] {
  const found = new Set<Type>();
  const seen = new Set<unknown>();
  const visit = (m: Type | DynamicModule) => {
    if (seen.has(m)) return;
    seen.add(m);
    const dynamic: Partial<DynamicModule> = 'module' in m ? m : {};
    const cls = 'module' in m ? m.module : m;
    const controllers = [...((Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, cls) as Type[] | undefined) ?? []), ...(dynamic.controllers ?? [])];
    for (const c of controllers) found.add(c);
    const imports = [...((Reflect.getMetadata(MODULE_METADATA.IMPORTS, cls) as unknown[] | undefined) ?? []), ...(dynamic.imports ?? [])];
    for (const i of imports) if (typeof i === 'function' || (i && typeof i === 'object' && 'module' in i)) visit(i as Type | DynamicModule);
  };
  visit(root);
  return [...found];
}

describe('guarded controllers', () => {
  const controllers = controllersOf(AppModule.forRoot(loadConfig({ JWT_SECRET: randomBytes(32).toString('hex') })));

  it('every controller of the app runs the guards, unless all its routes are public reads without a rate limit', () => {
    expect(controllers.length).toBeGreaterThan(5);
    expect(controllers.flatMap((c) => unguardedRoutes(c))).toEqual([]);
  });

  it('the probes are the controller that does without', () => {
    const unguarded = controllers.filter((c) => !((Reflect.getMetadata(GUARDS_METADATA, c) as unknown[] | undefined) ?? []).includes(GlobalGuards));
    expect(unguarded.map((c) => c.name)).toEqual(['HealthController']);
  });

  it('names the routes of an unguarded controller that needed the guards', () => {
    @Controller('x')
    class Careless {
      @Public()
      @Get('open')
      open() {}

      @Get('private')
      private() {}

      @Public()
      @Post('write')
      write() {}

      @Public()
      @RateLimit({ name: 'x', limit: () => 1, tracker: byIp })
      @Get('limited')
      limited() {}
    }
    expect(unguardedRoutes(Careless)).toEqual([
      'Careless.private is not public',
      'Careless.write is a POST',
      'Careless.limited has a rate limit',
    ]);

    @GuardedController('y')
    class Careful {
      @Post('write')
      write() {}
    }
    expect(unguardedRoutes(Careful)).toEqual([]);
  });
});
