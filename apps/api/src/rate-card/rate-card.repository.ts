import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Category } from '@handoff/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { RateCard } from './rate-card.entity.js';

/** rate_card: one base price per category. */
@Injectable()
export class RateCardRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  all(): Promise<RateCard[]> {
    return this.ds.getRepository(RateCard).find({ order: { category: 'ASC' } });
  }

  get(category: Category, m: EntityManager = this.ds.manager): Promise<RateCard | null> {
    return m.findOneBy(RateCard, { category });
  }

  /** Locked for the caller's transaction. */
  lock(m: EntityManager, category: Category): Promise<RateCard | null> {
    return m.findOne(RateCard, { where: { category }, lock: { mode: 'pessimistic_write' } });
  }

  async setPrice(m: EntityManager, category: Category, basePriceCents: number, adminId: string): Promise<void> {
    await m.update(RateCard, { category }, { basePriceCents, updatedBy: adminId, updatedAt: new Date() });
  }
}
