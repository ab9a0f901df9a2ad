import type { Category, OrgRole, Role } from '@handoff/contracts';

/** Who is calling, as loaded fresh from the database on every request. */
export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  organizationId: string | null;
  /** The client's role in its organization; null for assistants and admins. */
  orgRole: OrgRole | null;
  skills: Category[];
  maxConcurrentTasks: number;
  /** Two-factor sign-in is required of this user and not on yet: only enrolment routes answer (AuthGuard). */
  mustEnrolTwoFactor?: boolean;
}
