import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { priceFor, type Category, type Priority, type QuoteResponse, type RateCardEntry } from '@handoff/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditRepository } from '../audit/audit.repository.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import type { RateCard } from './rate-card.entity.js';
import { RateCardRepository } from './rate-card.repository.js';

const view = (r: RateCard): RateCardEntry => ({
  category: r.category,
  basePriceCents: r.basePriceCents,
  currency: r.currency.trim(),
  updatedAt: r.updatedAt.toISOString(),
});

@Injectable()
export class RateCardService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly rates: RateCardRepository,
    private readonly audit: AuditRepository,
  ) {}

  async list(): Promise<RateCardEntry[]> {
    const rows = await this.rates.all();
    return rows.map(view);
  }

  async set(category: Category, basePriceCents: number, admin: Pick<AuthUser, 'id' | 'role'>): Promise<RateCardEntry> {
    return this.ds.transaction(async (m) => {
      const found = await this.rates.lock(m, category);
      if (!found) throw new NotFoundException(`no rate for ${category}`);
      await this.rates.setPrice(m, category, basePriceCents, admin.id);
      await this.audit.record(m, admin, {
        action: 'rate_card.update',
        targetType: 'rate_card',
        targetId: category,
        details: { from: found.basePriceCents, to: basePriceCents, currency: found.currency.trim() },
      });
      return view((await this.rates.get(category, m))!);
    });
  }

  /** The price a task would be fixed at now; pass the transaction's manager to fix it atomically. */
  async quote(category: Category, priority: Priority, m?: EntityManager): Promise<Omit<QuoteResponse, 'budget'>> {
    const rate = await this.rates.get(category, m);
    if (!rate) throw new NotFoundException(`no rate for ${category}`);
    return { priceCents: priceFor(rate.basePriceCents, priority), currency: rate.currency.trim() };
  }
}
