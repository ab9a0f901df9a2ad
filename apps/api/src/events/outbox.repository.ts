import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { rowMapper } from '../database/rows.js';
import { query, rowsOf } from '../database/sql.js';
import { OutboxRow } from './outbox.entity.js';

const toOutboxRow = rowMapper(OutboxRow);

/**
 * The outbox table. Rows are written by the statements that commit a change
 * (tasks, ledger); this reads, counts and deletes them.
 */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** The oldest rows no other relay holds, locked for the caller's transaction. */
  async lockBatch(m: EntityManager, limit: number): Promise<OutboxRow[]> {
    return (await query<Record<string, unknown>>(m, `SELECT id, topic, payload, created_at FROM outbox ORDER BY id LIMIT ${Number(limit)} FOR UPDATE SKIP LOCKED`)).map(
      toOutboxRow,
    );
  }

  async delete(m: EntityManager, ids: readonly string[]): Promise<void> {
    await query(m, `DELETE FROM outbox WHERE id = ANY($1::bigint[])`, [ids]);
  }

  /** Rows not relayed yet. */
  async pending(): Promise<number> {
    const [row] = rowsOf<{ n: number }>(await this.ds.query(`SELECT count(*)::int AS n FROM outbox`));
    return row?.n ?? 0;
  }
}
