import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { query, type Queryable } from '../database/sql.js';

export interface CandidateRow {
  assistantId: string;
  name: string;
  preferred: boolean;
  preferredAt: Date | null;
  tasksReturned: number;
}

/** What one organization is to one assistant: whether it prefers them, how much of its work they returned. */
export interface Relation {
  isAssistant: boolean;
  preferred: boolean;
  tasksReturned: number;
}

/** Per task of an announce: its organization's head start and the assistants it prefers. */
export interface HeadStart {
  id: string;
  headStartSeconds: number;
  preferred: string[];
}

const CANDIDATES_SQL = `
  WITH worked AS (
    SELECT assignee_id AS id, count(*)::int AS n FROM tasks
     WHERE organization_id = $1 AND assignee_id IS NOT NULL AND returned_at IS NOT NULL
     GROUP BY assignee_id),
  pref AS (SELECT assistant_id AS id, created_at FROM preferred_assistants WHERE organization_id = $1)
  SELECT u.id AS "assistantId", u.name, (p.id IS NOT NULL) AS preferred, p.created_at AS "preferredAt", coalesce(w.n, 0)::int AS "tasksReturned"
    FROM (SELECT id FROM worked UNION SELECT id FROM pref) ids
    JOIN users u ON u.id = ids.id AND u.role = 'assistant'
    LEFT JOIN worked w ON w.id = ids.id
    LEFT JOIN pref p ON p.id = ids.id
   ORDER BY (p.id IS NULL), coalesce(w.n, 0) DESC, u.name, u.id
   LIMIT $2`;

/**
 * The `preferred_assistants` table, with the reads around it: who worked for
 * an organization (its returned tasks) and, for the announce, each task's
 * organization's head start (`organizations.preferred_head_start_seconds`).
 */
@Injectable()
export class PreferredAssistantsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** The assistants who returned work for the organization and the ones it prefers, preferred first. */
  async candidates(organizationId: string, limit: number): Promise<CandidateRow[]> {
    return query<CandidateRow>(this.ds, CANDIDATES_SQL, [organizationId, limit]);
  }

  async headStartOf(organizationId: string): Promise<number | null> {
    const [row] = await query<{ s: number }>(this.ds, `SELECT preferred_head_start_seconds AS s FROM organizations WHERE id = $1`, [organizationId]);
    return row?.s ?? null;
  }

  async relation(organizationId: string, assistantId: string, m: Queryable = this.ds): Promise<Relation> {
    const [row] = await query<Relation>(
      m,
      `SELECT EXISTS (SELECT 1 FROM users WHERE id = $2 AND role = 'assistant') AS "isAssistant",
              EXISTS (SELECT 1 FROM preferred_assistants WHERE organization_id = $1 AND assistant_id = $2) AS preferred,
              (SELECT count(*)::int FROM tasks WHERE assignee_id = $2 AND organization_id = $1 AND returned_at IS NOT NULL) AS "tasksReturned"`,
      [organizationId, assistantId],
    );
    return row!;
  }

  /** Marks the assistant; marking twice keeps the first. */
  async add(organizationId: string, assistantId: string, by: string): Promise<void> {
    await query(
      this.ds,
      `INSERT INTO preferred_assistants (organization_id, assistant_id, created_by) VALUES ($1, $2, $3) ON CONFLICT (organization_id, assistant_id) DO NOTHING`,
      [organizationId, assistantId, by],
    );
  }

  async remove(organizationId: string, assistantId: string): Promise<void> {
    await query(this.ds, `DELETE FROM preferred_assistants WHERE organization_id = $1 AND assistant_id = $2`, [organizationId, assistantId]);
  }

  /** For each task ($1), its organization's head start and preferred assistants (planned per call, as the announce's other reads). */
  async headStarts(taskIds: readonly string[]): Promise<HeadStart[]> {
    return this.ds.query(
      `SELECT t.id, o.preferred_head_start_seconds AS "headStartSeconds",
              ARRAY(SELECT p.assistant_id FROM preferred_assistants p WHERE p.organization_id = t.organization_id) AS preferred
         FROM tasks t JOIN organizations o ON o.id = t.organization_id
        WHERE t.id = ANY($1::uuid[])`,
      [taskIds],
    );
  }
}
