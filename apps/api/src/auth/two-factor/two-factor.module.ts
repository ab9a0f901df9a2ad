import { Module } from '@nestjs/common';
import { SessionsModule } from '../../common/auth/sessions.module.js';
import { DevicesRepository } from './devices.repository.js';
import { RecoveryCodesRepository } from './recovery-codes.repository.js';
import { TwoFactorPolicyRepository } from './two-factor-policy.repository.js';
import { TwoFactorRepository } from './two-factor.repository.js';
import { TwoFactorService } from './two-factor.service.js';

/** Two-factor sign-in: its tables' repositories and the service the auth routes use. */
@Module({
  imports: [SessionsModule],
  providers: [TwoFactorRepository, RecoveryCodesRepository, DevicesRepository, TwoFactorPolicyRepository, TwoFactorService],
  exports: [TwoFactorService],
})
export class TwoFactorModule {}
