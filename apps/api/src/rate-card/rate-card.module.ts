import { Module } from '@nestjs/common';
import { GuardsModule } from '../common/http/guards.module.js';
import { RateCardController } from './rate-card.controller.js';
import { RateCardService } from './rate-card.service.js';

/** Base prices per category; the task routes quote from its service. */
@Module({ imports: [GuardsModule], controllers: [RateCardController], providers: [RateCardService], exports: [RateCardService] })
export class RateCardModule {}
