import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Role } from '@handoff/contracts';
import type { AuthUser } from './auth-user.js';

export const IS_PUBLIC = 'handoff:public';
export const ROLES = 'handoff:roles';
export const BEFORE_TWO_FACTOR = 'handoff:before-two-factor';

/** The route answers without a token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The route answers a user who must enrol in two-factor sign-in before anything else (enrolment, `me`). */
export const BeforeTwoFactor = () => SetMetadata(BEFORE_TWO_FACTOR, true);

/** Only these roles may call the route (403 for the others). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  const req = ctx.switchToHttp().getRequest<{ user?: AuthUser }>();
  if (!req.user) throw new Error('CurrentUser used on a public route');
  return req.user;
});
