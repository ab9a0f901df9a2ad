import { isoDate, listQuery, uuid } from '@handoff/contracts';
import { z } from 'zod';

export const auditQuery = listQuery.extend({
  actorId: uuid.optional(),
  // An exact action, or a family with a trailing `*` (`task.*`, `billing.*`).
  action: z
    .string()
    .regex(/^[a-z_]+(\.[a-z_]+)?(\.\*|\*)?$/, { message: 'must be an action like user.suspend or a prefix like task.*' })
    .max(60, { message: 'is too long' })
    .optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});
export type AuditQuery = z.infer<typeof auditQuery>;

export const auditRecord = z.object({
  id: z.string(),
  createdAt: z.string(),
  actorId: z.string().nullable(),
  actorRole: z.string(),
  actorName: z.string().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditRecord = z.infer<typeof auditRecord>;

export const auditPage = z.object({ items: z.array(auditRecord), nextCursor: z.string().nullable() });
