import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { priceFor, type Category, type Priority, type QuoteResponse, type RateCardEntry } from '@handoff/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { recordAudit } from '../audit/audit.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { RateCard } from './rate-card.entity.js';

const view = (r: RateCard): RateCardEntry => ({
  category: r.category,
  basePriceCents: r.basePriceCents,
  currency: r.currency.trim(),
  updatedAt: r.updatedAt.toISOString(),
});

@Injectable()
export class RateCardService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async list(): Promise<RateCardEntry[]> {
    const rows = await this.ds.getRepository(RateCard).find({ order: { category: 'ASC' } });
    return rows.map(view);
  }

  async set(category: Category, basePriceCents: number, admin: Pick<AuthUser, 'id' | 'role'>): Promise<RateCardEntry> {
    return this.ds.transaction(async (m) => {
      const found = await m.findOne(RateCard, { where: { category }, lock: { mode: 'pessimistic_write' } });
      if (!found) throw new NotFoundException(`no rate for ${category}`);
      await m.update(RateCard, { category }, { basePriceCents, updatedBy: admin.id, updatedAt: new Date() });
      await recordAudit(m, admin, {
        action: 'rate_card.update',
        targetType: 'rate_card',
        targetId: category,
        details: { from: found.basePriceCents, to: basePriceCents, currency: found.currency.trim() },
      });
      return view((await m.findOneBy(RateCard, { category }))!);
    });
  }

  /** The price a task would be fixed at now; pass the transaction's manager to fix it atomically. */
  async quote(category: Category, priority: Priority, m: EntityManager = this.ds.manager): Promise<QuoteResponse> {
    const rate = await m.findOneBy(RateCard, { category });
    if (!rate) throw new NotFoundException(`no rate for ${category}`);
    return { priceCents: priceFor(rate.basePriceCents, priority), currency: rate.currency.trim() };
  }
}
