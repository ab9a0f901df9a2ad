import { ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { TWO_FACTOR_ENROLLMENT_REQUIRED, type Role } from '@handoff/contracts';
import type { AuthUser } from './auth-user.js';
import { perRoute } from '../http/route-metadata.js';
import { BEFORE_TWO_FACTOR, IS_PUBLIC, ROLES } from './decorators.js';
import { SessionService } from './session.service.js';

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m ? m[1]! : null;
}

/** Authenticates every route not marked `@Public()`, then applies `@Roles()`. */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly policy: (ctx: ExecutionContext) => { isPublic: boolean; roles: Role[] | undefined; beforeTwoFactor: boolean };

  constructor(
    reflector: Reflector,
    private readonly sessions: SessionService,
  ) {
    this.policy = perRoute((handler, controller) => ({
      isPublic: reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler, controller]) === true,
      roles: reflector.getAllAndOverride<Role[] | undefined>(ROLES, [handler, controller]),
      beforeTwoFactor: reflector.getAllAndOverride<boolean>(BEFORE_TWO_FACTOR, [handler, controller]) === true,
    }));
  }

  // Not `async`: a public route (health, sign-in) is let through without a promise.
  canActivate(ctx: ExecutionContext): boolean | Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const { isPublic, roles, beforeTwoFactor } = this.policy(ctx);
    if (isPublic) return true;
    return this.authenticate(ctx.switchToHttp().getRequest(), roles, beforeTwoFactor);
  }

  private async authenticate(req: { headers: Record<string, string | undefined>; user?: AuthUser }, roles: Role[] | undefined, beforeTwoFactor: boolean): Promise<boolean> {
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new UnauthorizedException('a bearer token is required');
    const user = await this.sessions.authenticate(token);
    if (!user) throw new UnauthorizedException('the token is invalid or expired');
    req.user = user;
    if (user.mustEnrolTwoFactor && !beforeTwoFactor) {
      throw new ForbiddenException({ statusCode: 403, error: 'Forbidden', message: 'two-factor sign-in is required for this account: enrol first', code: TWO_FACTOR_ENROLLMENT_REQUIRED });
    }
    if (roles && !roles.includes(user.role)) throw new ForbiddenException(`only ${roles.join(' or ')} users may do this`);
    return true;
  }
}
