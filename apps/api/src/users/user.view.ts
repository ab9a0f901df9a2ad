import type { UserView } from '@handoff/contracts';
import type { User } from './user.entity.js';

/** The only shape in which a user leaves the API: no hash, no token version. */
export function toUserView(u: User, organizationName?: string | null): UserView {
  const view: UserView = {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    organizationId: u.organizationId,
    orgRole: u.orgRole ?? null,
    suspended: u.suspended,
    emailVerifiedAt: u.emailVerifiedAt ? u.emailVerifiedAt.toISOString() : null,
    createdAt: u.createdAt.toISOString(),
  };
  if (organizationName !== undefined) view.organizationName = organizationName;
  if (u.role === 'assistant') {
    view.skills = u.skills;
    view.maxConcurrentTasks = u.maxConcurrentTasks;
    view.online = u.online;
  }
  return view;
}
