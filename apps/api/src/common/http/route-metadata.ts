import type { ExecutionContext } from '@nestjs/common';

type Target = (...args: never[]) => unknown;

/**
 * Decorator metadata is fixed once the app has booted, so a guard that runs
 * on every request reads it once per route and keeps the answer, instead of
 * walking `reflect-metadata` on each call.
 */
export function perRoute<T>(read: (handler: Target, controller: Target) => T): (ctx: ExecutionContext) => T {
  const byController = new WeakMap<Target, WeakMap<Target, { value: T }>>();
  return (ctx) => {
    const controller = ctx.getClass() as unknown as Target;
    const handler = ctx.getHandler() as unknown as Target;
    const routes = byController.get(controller) ?? byController.set(controller, new WeakMap()).get(controller)!;
    let hit = routes.get(handler);
    if (!hit) routes.set(handler, (hit = { value: read(handler, controller) }));
    return hit.value;
  };
}
