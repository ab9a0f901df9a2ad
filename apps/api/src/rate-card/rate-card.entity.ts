import { CATEGORIES, type Category } from '@handoff/contracts';
import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'rate_card' })
export class RateCard {
  @PrimaryColumn({ type: 'enum', enumName: 'task_category', enum: CATEGORIES })
  category: Category;

  @Column({ name: 'base_price_cents', type: 'int' })
  basePriceCents: number;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ name: 'updated_by', type: 'uuid', nullable: true })
  updatedBy: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
