import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A user's TOTP secret: pending while `enabledAt` is null (enrolment started, not yet confirmed). */
@Entity({ name: 'user_two_factor' })
export class UserTwoFactor {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  /** The base32 secret in a SecretsCipher envelope, sealed for `user:<id>:field:totp`. */
  @Column({ name: 'secret_sealed', type: 'text' })
  secretSealed: string;

  @Column({ name: 'enabled_at', type: 'timestamptz', nullable: true })
  enabledAt: Date | null;

  @Column({ name: 'last_used_step', type: 'bigint', nullable: true })
  lastUsedStep: number | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** One unused recovery code, by its HMAC. */
@Entity({ name: 'two_factor_recovery_codes' })
export class TwoFactorRecoveryCode {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'code_hash', type: 'text' })
  codeHash: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** A browser that passed the second factor and may skip it until `expiresAt`. */
@Entity({ name: 'two_factor_devices' })
export class TwoFactorDevice {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  /** SHA-256 of the cookie's token. */
  @Column({ name: 'token_hash', type: 'text' })
  tokenHash: string;

  /** The user's token version when remembered; a later one (password change, suspension) forgets the device. */
  @Column({ name: 'token_version', type: 'int' })
  tokenVersion: number;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;
}
