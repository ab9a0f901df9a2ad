import { Module } from '@nestjs/common';
import { RateCardService } from './rate-card.service.js';

// Controllers are mounted by AppModule, and only in roles that serve HTTP.
@Module({ providers: [RateCardService], exports: [RateCardService] })
export class RateCardModule {}
