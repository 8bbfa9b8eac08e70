// Server configuration, parsed from the environment once at start-up.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

const DAY_MS = 24 * 60 * 60 * 1000;

const positiveInt = (name: string) =>
  z.coerce.number({ error: `${name} must be a whole number` }).int(`${name} must be a whole number`).positive(`${name} must be above 0`);

export const EnvSchema = z.object({
  PORT: z.coerce
    .number({ error: 'PORT must be a number' })
    .int('PORT must be a whole number')
    .min(0, 'PORT must be between 0 and 65535')
    .max(65535, 'PORT must be between 0 and 65535')
    .default(4000),
  HOST: z.string().min(1, 'HOST must not be empty').default('127.0.0.1'),
  LATCH_DATA_DIR: z.string().min(1, 'LATCH_DATA_DIR must not be empty').optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
    .optional(),
  LATCH_IDLE_TIMEOUT_DAYS: positiveInt('LATCH_IDLE_TIMEOUT_DAYS').default(14),
  LATCH_SESSION_LIFETIME_DAYS: positiveInt('LATCH_SESSION_LIFETIME_DAYS').default(90),
  LATCH_MAX_SESSIONS: positiveInt('LATCH_MAX_SESSIONS').default(50),
  LATCH_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LATCH_TRUST_PROXY: z.enum(['0', '1', 'true', 'false']).default('false'),
});

export interface SessionPolicy {
  idleTimeoutMs: number;
  lifetimeMs: number;
  maxSessionsPerUser: number;
  /** last_seen is written at most this often per session. */
  touchIntervalMs: number;
  /** Revoked and expired rows are kept this long for notices and audit. */
  retentionMs: number;
}

export interface RateLimitPolicy {
  windowMs: number;
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
}

export interface PasswordPolicy {
  /** argon2id parameters (OWASP: m=19 MiB, t=2, p=1 at least). */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export type StoreConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export interface ServerConfig {
  host: string;
  port: number;
  store: StoreConfig;
  sessions: SessionPolicy;
  rateLimit: RateLimitPolicy;
  passwords: PasswordPolicy;
  logLevel: z.infer<typeof EnvSchema>['LATCH_LOG_LEVEL'];
  trustProxy: boolean;
  /** Server pings every socket this often; a socket that missed a pong is dropped. */
  pingIntervalMs: number;
  /** How often expired sessions are swept and old rows purged. */
  maintenanceIntervalMs: number;
}

export class ConfigError extends Error {}

/** The default data folder: XDG data home on Linux, the usual places elsewhere. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Latch', 'server');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Latch', 'server');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'latch', 'server');
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  idleTimeoutMs: 14 * DAY_MS,
  lifetimeMs: 90 * DAY_MS,
  maxSessionsPerUser: 50,
  touchIntervalMs: 60_000,
  retentionMs: 30 * DAY_MS,
};

export const DEFAULT_RATE_LIMIT: RateLimitPolicy = {
  windowMs: 15 * 60_000,
  maxFailuresPerAccount: 5,
  maxFailuresPerIp: 20,
};

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** Parse the environment; throws ConfigError with one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = issue.path.join('.');
    throw new ConfigError(`Invalid ${name}: ${issue.message}`);
  }
  const e = parsed.data;
  if (e.LATCH_IDLE_TIMEOUT_DAYS > e.LATCH_SESSION_LIFETIME_DAYS) {
    throw new ConfigError('Invalid LATCH_IDLE_TIMEOUT_DAYS: must not exceed LATCH_SESSION_LIFETIME_DAYS');
  }
  const store: StoreConfig = e.DATABASE_URL
    ? { kind: 'postgres', url: e.DATABASE_URL }
    : { kind: 'sqlite', file: join(e.LATCH_DATA_DIR ?? defaultDataDir(env), 'latch.sqlite') };
  return {
    host: e.HOST,
    port: e.PORT,
    store,
    sessions: {
      ...DEFAULT_SESSION_POLICY,
      idleTimeoutMs: e.LATCH_IDLE_TIMEOUT_DAYS * DAY_MS,
      lifetimeMs: e.LATCH_SESSION_LIFETIME_DAYS * DAY_MS,
      maxSessionsPerUser: e.LATCH_MAX_SESSIONS,
    },
    rateLimit: DEFAULT_RATE_LIMIT,
    passwords: DEFAULT_PASSWORD_POLICY,
    logLevel: e.LATCH_LOG_LEVEL,
    trustProxy: e.LATCH_TRUST_PROXY === '1' || e.LATCH_TRUST_PROXY === 'true',
    pingIntervalMs: 25_000,
    maintenanceIntervalMs: 60 * 60_000,
  };
}
