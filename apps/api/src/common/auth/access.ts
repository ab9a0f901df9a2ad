import { NotFoundException } from '@nestjs/common';
import type { AuthUser } from './auth-user.js';

// Ownership rules in one place. A resource the caller may not read is reported
// as missing, so ids of other tenants are never confirmed.

export interface Owned {
  organizationId: string | null;
  userId?: string | null;
  assigneeId?: string | null;
}

export function canRead(user: AuthUser, resource: Owned): boolean {
  if (user.role === 'admin') return true;
  if (resource.userId && resource.userId === user.id) return true;
  if (user.role === 'client') return user.organizationId !== null && resource.organizationId === user.organizationId;
  if (user.role === 'assistant') return !!resource.assigneeId && resource.assigneeId === user.id;
  return false;
}

export function assertReadable<T extends Owned>(user: AuthUser, resource: T | null | undefined, what: string): T {
  if (!resource || !canRead(user, resource)) throw new NotFoundException(`${what} not found`);
  return resource;
}
