import { TwoFactorDevice, TwoFactorRecoveryCode, UserTwoFactor } from '../auth/two-factor/two-factor.entity.js';
import { RateCard } from '../rate-card/rate-card.entity.js';
import { Organization } from '../users/organization.entity.js';
import { User } from '../users/user.entity.js';

export const ENTITIES = [Organization, User, RateCard, UserTwoFactor, TwoFactorRecoveryCode, TwoFactorDevice];
