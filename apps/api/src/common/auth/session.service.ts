import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuthUser } from './auth-user.js';
import { TokensService } from './tokens.service.js';

interface Row {
  id: string;
  email: string;
  name: string;
  role: AuthUser['role'];
  organization_id: string | null;
  skills: string;
  max_concurrent_tasks: number;
  suspended: boolean;
  token_version: number;
}

/** Turns a token into the current user; used by the HTTP guard and the socket handshake alike. */
@Injectable()
export class SessionService {
  constructor(
    private readonly tokens: TokensService,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  async authenticate(token: string): Promise<AuthUser | null> {
    const claims = await this.tokens.verify(token);
    if (!claims) return null;
    // Read fresh each time so a suspension or role change takes effect on the next request.
    const rows: Row[] = await this.ds.query(
      `SELECT id, email, name, role, organization_id, skills::text AS skills, max_concurrent_tasks, suspended, token_version
         FROM users WHERE id = $1`,
      [claims.sub],
    );
    const row = rows[0];
    if (!row || row.suspended || row.token_version !== claims.tv || row.role !== claims.role) return null;
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      role: row.role,
      organizationId: row.organization_id,
      skills: parsePgArray(row.skills) as AuthUser['skills'],
      maxConcurrentTasks: row.max_concurrent_tasks,
    };
  }
}

/** `{a,b}` → ['a','b'] for enum arrays, which node-postgres returns as text. */
export function parsePgArray(raw: string | string[] | null): string[] {
  if (Array.isArray(raw)) return raw;
  if (!raw || raw === '{}') return [];
  return raw.replace(/^\{|\}$/g, '').split(',').filter(Boolean);
}
