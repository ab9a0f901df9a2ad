import { Module } from '@nestjs/common';
import { RateCardController } from './rate-card.controller.js';
import { RateCardService } from './rate-card.service.js';

@Module({ controllers: [RateCardController], providers: [RateCardService], exports: [RateCardService] })
export class RateCardModule {}
