import { Inject, Injectable } from '@nestjs/common';
import type { Role } from '@handoff/contracts';
import { errors, jwtVerify, SignJWT } from 'jose';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';

export interface AccessClaims {
  sub: string;
  role: Role;
  tv: number;
}

const ALG = 'HS256';
const ISSUER = 'handoff';
const AUDIENCE = 'handoff-api';

@Injectable()
export class TokensService {
  private readonly key: Uint8Array;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.key = new TextEncoder().encode(config.jwtSecret);
  }

  get accessTtlSeconds(): number {
    return Math.max(1, Math.floor(this.config.accessTokenTtlMs / 1000));
  }

  sign(claims: AccessClaims): Promise<string> {
    return new SignJWT({ role: claims.role, tv: claims.tv })
      .setProtectedHeader({ alg: ALG, typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.accessTtlSeconds}s`)
      .sign(this.key);
  }

  /** Null for anything but a valid, unexpired HS256 token we issued: `alg: none` and other algorithms included. */
  async verify(token: string): Promise<AccessClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: [ALG], issuer: ISSUER, audience: AUDIENCE });
      if (typeof payload.sub !== 'string' || typeof payload.role !== 'string' || typeof payload.tv !== 'number') return null;
      return { sub: payload.sub, role: payload.role as Role, tv: payload.tv };
    } catch (e) {
      if (e instanceof errors.JOSEError || e instanceof TypeError) return null;
      throw e;
    }
  }
}
