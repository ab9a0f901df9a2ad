import { resolve } from 'node:path';
import { z } from 'zod';
import { parseSecretsKeys, type SecretKey } from './secrets-keys.js';

const duration = (name: string, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((raw, ctx) => {
      const ms = parseDuration(raw);
      if (ms === null) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a duration like 900s, 15m, 72h or a number of milliseconds` });
        return z.NEVER;
      }
      return ms;
    });

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.join(' or ')}//`);

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * Secrets that were published (the development default of earlier versions, the examples' placeholders):
 * anyone who read the source could sign tokens with them, so they are refused everywhere.
 */
export const PUBLISHED_JWT_SECRETS: readonly string[] = ['handoff-development-secret-change-me-0123456789'];
const PLACEHOLDER = /change-?me/i;

/** Every setting Handoff reads from the environment, with its default (see .env.example). */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HANDOFF_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  // Loopback unless told otherwise: a laptop's `npm start` is not served to its network. Images set 0.0.0.0.
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535, 3000),
  PUBLIC_URL: url(['http:', 'https:']).default('http://localhost:3000'),
  CORS_ORIGINS: z.string().default(''),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/handoff'),
  DATABASE_POOL_SIZE: int(1, 200, 20),
  DATABASE_PREPARED_STATEMENTS: bool(true),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:{}_-]+$/, 'may only contain letters, digits and : { } _ -')
    .default('handoff'),
  // No default: every installation signs with its own (`npm start` writes a random one into .env).
  JWT_SECRET: z
    .string({ error: 'is not set: npm start writes a random one into .env; elsewhere set your own (openssl rand -hex 32)' })
    .min(32, 'must be at least 32 characters')
    .refine((v) => !PUBLISHED_JWT_SECRETS.includes(v) && !PLACEHOLDER.test(v), 'is a published example value, so anyone could sign tokens with it: set your own (openssl rand -hex 32)'),
  ACCESS_TOKEN_TTL: duration('ACCESS_TOKEN_TTL', '15m'),
  REFRESH_TOKEN_TTL: duration('REFRESH_TOKEN_TTL', '30d'),
  HANDOFF_ADMIN_EMAIL: z.email().default('admin@handoff.local'),
  HANDOFF_ADMIN_PASSWORD: z.string().min(10).default('handoff-admin-2026'),
  CLAIM_WINDOW: duration('CLAIM_WINDOW', '15m'),
  REVIEW_WINDOW: duration('REVIEW_WINDOW', '72h'),
  // How long before auto-accept the client's reviewers are mailed a reminder; none when the window is this short or shorter.
  REVIEW_REMINDER_LEAD: duration('REVIEW_REMINDER_LEAD', '24h'),
  // How long a password-reset link and an address-verification link work.
  PASSWORD_RESET_TTL: duration('PASSWORD_RESET_TTL', '1h'),
  EMAIL_VERIFY_TTL: duration('EMAIL_VERIFY_TTL', '72h'),
  PLATFORM_FEE_BPS: int(0, 10_000, 2000),
  DEFAULT_MAX_CONCURRENT_TASKS: int(1, 50, 3),
  LOGIN_RATE_LIMIT: int(1, 100_000, 10),
  LOGIN_ACCOUNT_LIMIT: int(1, 100_000, 20),
  LOGIN_ADDRESS_LIMIT: int(1, 100_000, 100),
  LOGIN_LOCKOUT_MAX: duration('LOGIN_LOCKOUT_MAX', '15m').refine((ms) => ms >= 1_000, 'LOGIN_LOCKOUT_MAX must be at least 1s'),
  REGISTER_RATE_LIMIT: int(1, 100_000, 20),
  CLAIM_RATE_LIMIT: int(1, 100_000, 600),
  RATE_LIMIT_WINDOW: duration('RATE_LIMIT_WINDOW', '60s'),
  BODY_LIMIT_BYTES: int(1024, 50 * 1024 * 1024, 256 * 1024),
  REQUEST_TIMEOUT: duration('REQUEST_TIMEOUT', '30s'),
  TRUST_PROXY: z
    .string()
    .regex(/^[\w.:/, -]+$/, 'must be true, false, a hop count or a list of addresses/ranges')
    // Only a proxy on this machine: on a LAN or a Docker network anyone could otherwise send the header.
    .default('loopback'),
  CONNECTION_TIMEOUT: duration('CONNECTION_TIMEOUT', '60s'),
  RECONCILE_INTERVAL: duration('RECONCILE_INTERVAL', '30s'),
  TIMER_HORIZON: duration('TIMER_HORIZON', '10m').refine((ms) => ms >= 1_000, 'TIMER_HORIZON must be at least 1s'),
  MAINTENANCE_INTERVAL: duration('MAINTENANCE_INTERVAL', '15m').refine((ms) => ms >= 1_000, 'MAINTENANCE_INTERVAL must be at least 1s'),
  SCHEDULE_INTERVAL: duration('SCHEDULE_INTERVAL', '30s').refine((ms) => ms >= 1_000, 'SCHEDULE_INTERVAL must be at least 1s'),
  SESSION_CACHE: duration('SESSION_CACHE', '2s'),
  WORKER_LOCK_DURATION: duration('WORKER_LOCK_DURATION', '30s'),
  WORKER_STALLED_INTERVAL: duration('WORKER_STALLED_INTERVAL', '30s'),
  WORKER_MAX_STALLED_COUNT: int(0, 100, 1),
  WORKER_WATCHDOG_INTERVAL: duration('WORKER_WATCHDOG_INTERVAL', '10s'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SERVE_WEB: bool(true),
  WEB_DIST: z.string().optional(),
  COOKIE_SECURE: bool(false),
  // --- two-factor sign-in and secrets at rest. No defaults, like JWT_SECRET: `npm start` writes random ones into .env.
  // Unset leaves the features that need them refusing to run (with these names) instead of stopping the API.
  SECRETS_KEYS: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return [];
      const { keys, problems } = parseSecretsKeys(raw);
      for (const message of problems) ctx.addIssue({ code: 'custom', message });
      return problems.length ? z.NEVER : keys;
    }),
  TWO_FACTOR_PEPPER: z
    .string()
    .min(32, 'must be at least 32 characters (openssl rand -hex 32)')
    .refine((v) => !PLACEHOLDER.test(v), 'is a published example value: set your own (openssl rand -hex 32)')
    .optional(),
  // --- files, e-mail, webhooks ---
  STORAGE_DRIVER: z.enum(['disk', 's3']).default('disk'),
  STORAGE_DIR: z.string().min(1).default('data/files'),
  S3_ENDPOINT: url(['http:', 'https:']).optional(),
  S3_REGION: z.string().regex(/^[a-z0-9-]+$/, 'must be a region name like us-east-1 (R2: auto)').default('us-east-1'),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a bucket name: 3-63 lowercase letters, digits, dots and hyphens')
    .optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: bool(false),
  FILE_MAX_BYTES: int(1, 5 * 1024 * 1024 * 1024, 25 * 1024 * 1024),
  FILE_ORG_QUOTA_BYTES: int(1, Number.MAX_SAFE_INTEGER, 10 * 1024 * 1024 * 1024),
  DOWNLOAD_LINK_TTL: duration('DOWNLOAD_LINK_TTL', '5m').refine(
    (ms) => ms >= 10_000 && ms <= 86_400_000,
    'DOWNLOAD_LINK_TTL must be between 10s and 24h',
  ),
  SMTP_URL: url(['smtp:', 'smtps:']).default('smtp://127.0.0.1:1025'),
  MAIL_FROM: z
    .string()
    .regex(/^(?:[^<>\r\n"]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, 'must be an address, optionally with a name: Handoff <no-reply@example.com>')
    .default('Handoff <no-reply@handoff.local>'),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: bool(false),
  WEBHOOK_TIMEOUT: duration('WEBHOOK_TIMEOUT', '15s').refine((ms) => ms >= 1_000 && ms <= 60_000, 'WEBHOOK_TIMEOUT must be between 1s and 60s'),
  // Retries wait WEBHOOK_RETRY_BASE, doubling up to WEBHOOK_RETRY_MAX_DELAY, until WEBHOOK_RETRY_WINDOW after the event.
  WEBHOOK_RETRY_BASE: duration('WEBHOOK_RETRY_BASE', '30s').refine((ms) => ms >= 10 && ms <= 3_600_000, 'WEBHOOK_RETRY_BASE must be between 10ms and 1h'),
  WEBHOOK_RETRY_MAX_DELAY: duration('WEBHOOK_RETRY_MAX_DELAY', '3h').refine((ms) => ms >= 10, 'WEBHOOK_RETRY_MAX_DELAY must be at least 10ms'),
  WEBHOOK_RETRY_WINDOW: duration('WEBHOOK_RETRY_WINDOW', '24h').refine((ms) => ms >= 100 && ms <= 7 * 86_400_000, 'WEBHOOK_RETRY_WINDOW must be between 100ms and 7d'),
  // An endpoint whose deliveries have all failed for this long is disabled.
  WEBHOOK_DISABLE_AFTER: duration('WEBHOOK_DISABLE_AFTER', '24h').refine((ms) => ms >= 100, 'WEBHOOK_DISABLE_AFTER must be at least 100ms'),
});

export type Env = z.infer<typeof envSchema>;

export interface AppConfig {
  env: Env['NODE_ENV'];
  role: Env['HANDOFF_ROLE'];
  host: string;
  port: number;
  publicUrl: string;
  corsOrigins: string[];
  databaseUrl: string;
  databasePoolSize: number;
  databasePreparedStatements: boolean;
  redisUrl: string;
  redisPrefix: string;
  jwtSecret: string;
  accessTokenTtlMs: number;
  refreshTokenTtlMs: number;
  admin: { email: string; password: string };
  claimWindowMs: number;
  reviewWindowMs: number;
  reviewReminderLeadMs: number;
  /** Lifetimes of mailed links: a password reset, an address verification. */
  mailLinks: { passwordResetTtlMs: number; verifyEmailTtlMs: number };
  platformFeeBps: number;
  defaultMaxConcurrentTasks: number;
  rateLimits: { login: number; register: number; claim: number; windowMs: number };
  /**
   * Failed sign-ins (OWASP's scheme): `perAccountAndAddress` per e-mail from one address and `perAddress` from one
   * address over all e-mails, per window; past `perAccount` failures of one e-mail from anywhere, addresses it has
   * not signed in from wait a delay that doubles with each further failure, up to `maxLockoutMs`.
   */
  login: { perAccountAndAddress: number; perAccount: number; perAddress: number; maxLockoutMs: number };
  bodyLimitBytes: number;
  /** Slow clients: the whole request must arrive within requestTimeoutMs; a connection idle for connectionTimeoutMs is closed. */
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  /** Whose X-Forwarded-For to believe: rate limits key on the client address, so a spoofable one would lift them. */
  trustProxy: boolean | number | string;
  reconcileIntervalMs: number;
  /** Timers due within this are queued as delayed jobs when their change is relayed; later ones by the sweep (every half horizon, at least hourly) once they come this close. */
  timerHorizonMs: number;
  /** How often expired idempotency keys and refresh tokens are deleted. */
  maintenanceIntervalMs: number;
  /** How often due schedules are looked for (a run is created at most this late). */
  scheduleIntervalMs: number;
  /** How long an authenticated user's row is reused; changes to it are pushed to every instance at once (0: read every time). */
  sessionCacheMs: number;
  /** How BullMQ notices a worker that died holding jobs, and how often a job may die with its worker before it fails. */
  worker: { lockDurationMs: number; stalledIntervalMs: number; maxStalledCount: number; watchdogIntervalMs: number };
  logLevel: Env['LOG_LEVEL'];
  serveWeb: boolean;
  webDist?: string;
  cookieSecure: boolean;
  /** Encrypts secret fields at rest: the first key seals new values, every listed key still opens old ones. Empty: not configured. */
  secrets: { keys: readonly SecretKey[] };
  /** Keys the hashes of recovery codes; changing it voids every recovery code issued. */
  twoFactor: { pepper?: string };
  // --- files, e-mail, webhooks ---
  /** Where file contents are kept: a directory on this machine, or an S3-compatible bucket shared by every instance. */
  storage: StorageSettings;
  /** Largest file accepted in one upload. */
  fileMaxBytes: number;
  /** Bytes of live files one organization's tasks may hold, all purposes together. */
  fileOrgQuotaBytes: number;
  /** Lifetime of a signed download link. */
  downloadLinkTtlMs: number;
  mail: { smtpUrl: string; from: string };
  /** allowPrivateTargets lets endpoints on loopback and private networks receive webhooks (tests, on-premise receivers). */
  webhooks: WebhookSettings;
}

export interface WebhookSettings {
  allowPrivateTargets: boolean;
  timeoutMs: number;
  retry: { baseMs: number; maxDelayMs: number; windowMs: number };
  disableAfterMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function parseDuration(raw: string): number | null {
  const m = /^\s*(\d+)\s*(ms|s|m|h|d)?\s*$/.exec(raw);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit] ?? 1;
  return n * factor;
}

/** Read and validate the environment; a bad value throws naming the variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  // An empty variable means "not set", so `FOO= npm start` falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    role: e.HANDOFF_ROLE,
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL.replace(/\/$/, ''),
    corsOrigins: e.CORS_ORIGINS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    jwtSecret: e.JWT_SECRET,
    accessTokenTtlMs: e.ACCESS_TOKEN_TTL,
    refreshTokenTtlMs: e.REFRESH_TOKEN_TTL,
    admin: { email: e.HANDOFF_ADMIN_EMAIL.toLowerCase(), password: e.HANDOFF_ADMIN_PASSWORD },
    claimWindowMs: e.CLAIM_WINDOW,
    reviewWindowMs: e.REVIEW_WINDOW,
    reviewReminderLeadMs: e.REVIEW_REMINDER_LEAD,
    mailLinks: { passwordResetTtlMs: e.PASSWORD_RESET_TTL, verifyEmailTtlMs: e.EMAIL_VERIFY_TTL },
    platformFeeBps: e.PLATFORM_FEE_BPS,
    defaultMaxConcurrentTasks: e.DEFAULT_MAX_CONCURRENT_TASKS,
    rateLimits: {
      login: e.LOGIN_RATE_LIMIT,
      register: e.REGISTER_RATE_LIMIT,
      claim: e.CLAIM_RATE_LIMIT,
      windowMs: e.RATE_LIMIT_WINDOW,
    },
    login: {
      perAccountAndAddress: e.LOGIN_RATE_LIMIT,
      perAccount: e.LOGIN_ACCOUNT_LIMIT,
      perAddress: e.LOGIN_ADDRESS_LIMIT,
      maxLockoutMs: e.LOGIN_LOCKOUT_MAX,
    },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    requestTimeoutMs: e.REQUEST_TIMEOUT,
    connectionTimeoutMs: e.CONNECTION_TIMEOUT,
    trustProxy: e.TRUST_PROXY === 'true' ? true : e.TRUST_PROXY === 'false' ? false : /^\d+$/.test(e.TRUST_PROXY) ? Number(e.TRUST_PROXY) : e.TRUST_PROXY,
    reconcileIntervalMs: e.RECONCILE_INTERVAL,
    timerHorizonMs: e.TIMER_HORIZON,
    maintenanceIntervalMs: e.MAINTENANCE_INTERVAL,
    scheduleIntervalMs: e.SCHEDULE_INTERVAL,
    sessionCacheMs: e.SESSION_CACHE,
    worker: {
      lockDurationMs: e.WORKER_LOCK_DURATION,
      stalledIntervalMs: e.WORKER_STALLED_INTERVAL,
      maxStalledCount: e.WORKER_MAX_STALLED_COUNT,
      watchdogIntervalMs: e.WORKER_WATCHDOG_INTERVAL,
    },
    logLevel: e.LOG_LEVEL,
    serveWeb: e.SERVE_WEB,
    webDist: e.WEB_DIST,
    cookieSecure: e.COOKIE_SECURE,
    secrets: { keys: e.SECRETS_KEYS },
    twoFactor: { pepper: e.TWO_FACTOR_PEPPER },
    // --- files, e-mail, webhooks ---
    storage: storageSettings(e),
    fileMaxBytes: e.FILE_MAX_BYTES,
    fileOrgQuotaBytes: e.FILE_ORG_QUOTA_BYTES,
    downloadLinkTtlMs: e.DOWNLOAD_LINK_TTL,
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM },
    webhooks: {
      allowPrivateTargets: e.WEBHOOK_ALLOW_PRIVATE_TARGETS,
      timeoutMs: e.WEBHOOK_TIMEOUT,
      retry: { baseMs: e.WEBHOOK_RETRY_BASE, maxDelayMs: e.WEBHOOK_RETRY_MAX_DELAY, windowMs: e.WEBHOOK_RETRY_WINDOW },
      disableAfterMs: e.WEBHOOK_DISABLE_AFTER,
    },
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

// --- files, e-mail, webhooks ---

export type StorageSettings =
  | { driver: 'disk'; dir: string }
  | {
      driver: 's3';
      s3: { endpoint?: string; region: string; bucket: string; accessKeyId?: string; secretAccessKey?: string; forcePathStyle: boolean };
    };

/** The S3 settings only matter, and must be complete, when STORAGE_DRIVER=s3. */
function storageSettings(e: Env): StorageSettings {
  if (e.STORAGE_DRIVER === 'disk') return { driver: 'disk', dir: resolve(e.STORAGE_DIR) };
  const problems: string[] = [];
  if (!e.S3_BUCKET) problems.push('S3_BUCKET: must be set when STORAGE_DRIVER=s3');
  if (Boolean(e.S3_ACCESS_KEY_ID) !== Boolean(e.S3_SECRET_ACCESS_KEY)) {
    problems.push('S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY: set both, or neither to use the AWS SDK credential chain');
  }
  if (problems.length > 0 || !e.S3_BUCKET) throw new ConfigError(problems);
  return {
    driver: 's3',
    s3: {
      endpoint: e.S3_ENDPOINT,
      region: e.S3_REGION,
      bucket: e.S3_BUCKET,
      accessKeyId: e.S3_ACCESS_KEY_ID,
      secretAccessKey: e.S3_SECRET_ACCESS_KEY,
      forcePathStyle: e.S3_FORCE_PATH_STYLE,
    },
  };
}
