import { z } from 'zod';
import { CATEGORIES, LIMITS, ORG_ROLES, ROLES } from '../domain.js';
import { plainString, text } from './common.js';

export const email = plainString()
  .trim()
  .max(LIMITS.emailMax, { message: `must be at most ${LIMITS.emailMax} characters` })
  .pipe(z.email({ message: 'must be an e-mail address' }))
  .transform((v) => v.toLowerCase());

export const password = plainString()
  .min(LIMITS.passwordMin, { message: `must be at least ${LIMITS.passwordMin} characters` })
  .max(LIMITS.passwordMax, { message: `must be at most ${LIMITS.passwordMax} characters` });

export const category = z.enum(CATEGORIES, { message: `must be one of ${CATEGORIES.join(', ')}` });
export const skills = z
  .array(category, { message: 'must be a list of categories' })
  .min(1, { message: 'must list at least one category' })
  .max(CATEGORIES.length)
  .transform((list) => [...new Set(list)]);

export const role = z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` });

export const registerBody = z
  .strictObject({
    email,
    password,
    name: text(LIMITS.nameMax),
    role: z.enum(['client', 'assistant'], { message: 'must be client or assistant' }),
    organizationName: text(LIMITS.organizationNameMax).optional(),
    skills: skills.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.role === 'client' && !v.organizationName) {
      ctx.addIssue({ code: 'custom', path: ['organizationName'], message: 'is required for a client' });
    }
    if (v.role === 'assistant' && !v.skills) {
      ctx.addIssue({ code: 'custom', path: ['skills'], message: 'is required for an assistant' });
    }
    if (v.role === 'assistant' && v.organizationName) {
      ctx.addIssue({ code: 'custom', path: ['organizationName'], message: 'is only for clients' });
    }
    if (v.role === 'client' && v.skills) {
      ctx.addIssue({ code: 'custom', path: ['skills'], message: 'is only for assistants' });
    }
  });
export type RegisterBody = z.infer<typeof registerBody>;

export const loginBody = z.strictObject({
  email,
  password: plainString().min(1, { message: 'must not be empty' }).max(LIMITS.passwordMax),
});
export type LoginBody = z.infer<typeof loginBody>;

export const createUserBody = z
  .strictObject({
    email,
    password,
    name: text(LIMITS.nameMax),
    role,
    organizationName: text(LIMITS.organizationNameMax).optional(),
    organizationId: z.uuid({ message: 'must be a UUID' }).optional(),
    skills: skills.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.role === 'client' && !v.organizationName && !v.organizationId) {
      ctx.addIssue({ code: 'custom', path: ['organizationName'], message: 'or organizationId is required for a client' });
    }
    if (v.role === 'assistant' && !v.skills) {
      ctx.addIssue({ code: 'custom', path: ['skills'], message: 'is required for an assistant' });
    }
  });
export type CreateUserBody = z.infer<typeof createUserBody>;

export const updateUserBody = z
  .strictObject({
    suspended: z.boolean({ message: 'must be true or false' }).optional(),
    skills: skills.optional(),
    maxConcurrentTasks: z
      .number({ message: 'must be a number' })
      .min(1, { message: 'must be at least 1' })
      .max(LIMITS.maxConcurrentTasksMax, { message: `must be at most ${LIMITS.maxConcurrentTasksMax}` })
      .int({ message: 'must be an integer' })
      .optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'body must change at least one field' });
export type UpdateUserBody = z.infer<typeof updateUserBody>;

export const listUsersQuery = z.object({ role: role.optional() });

export const availabilityBody = z.strictObject({ online: z.boolean({ message: 'must be true or false' }) });

export const userView = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role,
  organizationId: z.string().nullable().optional(),
  organizationName: z.string().nullable().optional(),
  /** The client's role in its organization (whoever created it is `owner`); null for assistants and admins. */
  orgRole: z.enum(ORG_ROLES).nullable(),
  skills: z.array(category).optional(),
  maxConcurrentTasks: z.number().int().optional(),
  online: z.boolean().optional(),
  suspended: z.boolean(),
  /** When the address was proven by a link mailed to it; null until then. */
  emailVerifiedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type UserView = z.infer<typeof userView>;

export const authResponse = z.object({ accessToken: z.string(), expiresIn: z.number().int(), user: userView });
export type AuthResponse = z.infer<typeof authResponse>;
