import { Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { rateCardBody, rateCardEntry, rateCardParams, type Category } from '@handoff/contracts';
import { z } from 'zod';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser, Roles } from '../common/auth/decorators.js';
import { Contract, Input } from '../common/http/contract.js';
import { GuardedController } from '../common/http/global-guards.js';
import { RateCardService } from './rate-card.service.js';

@ApiTags('rate card')
@ApiBearerAuth()
@GuardedController('rate-card')
export class RateCardController {
  constructor(private readonly rates: RateCardService) {}

  @Get()
  @Contract({ summary: 'The base price of every category', response: z.array(rateCardEntry) })
  list() {
    return this.rates.list();
  }

  @Put(':category')
  @Roles('admin')
  @Contract({ summary: 'Set a category’s base price (admin); tasks already submitted keep their price', params: rateCardParams, body: rateCardBody, response: rateCardEntry })
  set(@CurrentUser() caller: AuthUser, @Input('params') p: { category: Category }, @Input('body') body: { basePriceCents: number }) {
    return this.rates.set(p.category, body.basePriceCents, caller);
  }
}
