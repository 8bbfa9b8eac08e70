// Server configuration, parsed from the environment once at start-up.
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A whole number written in plain decimal digits (no sign, hex, exponent or
 * fraction: `0x1F90` and `4e3` are refused, not read as 8080 and 4000) within bounds.
 */
const wholeNumber = (name: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,10}$/, `${name} must be a whole number written in digits`)
    .transform(Number)
    .pipe(z.number().min(min, `${name} must be between ${min} and ${max}`).max(max, `${name} must be between ${min} and ${max}`));
const positiveInt = (name: string, max: number) => wholeNumber(name, 1, max);

/** Validated sessions one instance keeps in memory between requests (LATCH_SESSION_CACHE_SIZE). */
export const DEFAULT_SESSION_CACHE_SIZE = 20_000;

/** Durations are capped so that no date a session gets can fall outside what a timestamp can hold. */
const MAX_DAYS = 3650;

/** 32 random bytes, as 64 hex digits or 44 characters of base64 (`openssl rand -base64 32`). */
const SECRET_KEY_FORMAT = /^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/;
const SECRET_KEY_WORDS = (name: string) => `${name} must be 32 random bytes, as 64 hex digits or in base64 (openssl rand -base64 32)`;

export const EnvSchema = z.object({
  PORT: wholeNumber('PORT', 0, 65535).default(4000),
  HOST: z.string().min(1, 'HOST must not be empty').default('127.0.0.1'),
  LATCH_DATA_DIR: z.string().min(1, 'LATCH_DATA_DIR must not be empty').optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
    .optional(),
  LATCH_IDLE_TIMEOUT_DAYS: positiveInt('LATCH_IDLE_TIMEOUT_DAYS', MAX_DAYS).default(14),
  LATCH_SESSION_LIFETIME_DAYS: positiveInt('LATCH_SESSION_LIFETIME_DAYS', MAX_DAYS).default(90),
  LATCH_PAGE_DIR: z.string().optional(),
  LATCH_BROWSER_IDLE_TIMEOUT_HOURS: positiveInt('LATCH_BROWSER_IDLE_TIMEOUT_HOURS', MAX_DAYS * 24).default(24),
  LATCH_BROWSER_SESSION_LIFETIME_DAYS: positiveInt('LATCH_BROWSER_SESSION_LIFETIME_DAYS', MAX_DAYS).default(7),
  LATCH_MAX_SESSIONS: positiveInt('LATCH_MAX_SESSIONS', 10_000).default(50),
  LATCH_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LATCH_ACCESS_LOG: z.enum(['on', 'off'], { error: 'LATCH_ACCESS_LOG must be on or off' }).default('off'),
  LATCH_SLOW_REQUEST_MS: positiveInt('LATCH_SLOW_REQUEST_MS', 3_600_000).default(1_000),
  LATCH_TRUST_PROXY: z.string().optional(),
  LATCH_REGISTRATION: z.enum(['open', 'closed'], { error: 'LATCH_REGISTRATION must be open or closed' }).optional(),
  LATCH_ALLOWED_HOSTS: z.string().optional(),
  LATCH_MAX_SOCKETS: positiveInt('LATCH_MAX_SOCKETS', 10_000_000).optional(),
  LATCH_MAX_SOCKETS_PER_ADDRESS: positiveInt('LATCH_MAX_SOCKETS_PER_ADDRESS', 10_000_000).default(512),
  LATCH_LOCATIONS: z.enum(['dbip', 'off'], { error: 'LATCH_LOCATIONS must be dbip or off' }).default('dbip'),
  LATCH_PG_POOL_SIZE: positiveInt('LATCH_PG_POOL_SIZE', 1_000).default(10),
  LATCH_PG_STATEMENT_TIMEOUT_MS: positiveInt('LATCH_PG_STATEMENT_TIMEOUT_MS', 3_600_000).default(10_000),
  LATCH_PG_LOCK_TIMEOUT_MS: positiveInt('LATCH_PG_LOCK_TIMEOUT_MS', 3_600_000).default(5_000),
  LATCH_PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: positiveInt('LATCH_PG_IDLE_IN_TRANSACTION_TIMEOUT_MS', 3_600_000).default(60_000),
  LATCH_SESSION_CACHE_SIZE: wholeNumber('LATCH_SESSION_CACHE_SIZE', 0, 1_000_000).default(DEFAULT_SESSION_CACHE_SIZE),
  LATCH_METRICS_PORT: wholeNumber('LATCH_METRICS_PORT', 0, 65535).optional(),
  LATCH_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  LATCH_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^/?#]+/, 'LATCH_SMTP_URL must be an smtp:// or smtps:// URL, such as smtps://user:password@smtp.example.com')
    .optional(),
  LATCH_MAIL_FROM: z.string().regex(/^[^\r\n]*@[^\r\n]+$/, 'LATCH_MAIL_FROM must be an address, such as Latch <latch@example.com>').default('Latch <latch@localhost>'),
  LATCH_SECRET_KEY: z.string().trim().regex(SECRET_KEY_FORMAT, SECRET_KEY_WORDS('LATCH_SECRET_KEY')).optional(),
  LATCH_SECRET_KEY_PREVIOUS: z.string().trim().regex(SECRET_KEY_FORMAT, SECRET_KEY_WORDS('LATCH_SECRET_KEY_PREVIOUS')).optional(),
  LATCH_RP_ID: z
    .string()
    .trim()
    .regex(/^(localhost|[a-z0-9-]+(\.[a-z0-9-]+)+)$/, 'LATCH_RP_ID must be a host name, such as latch.example.com')
    .refine((host) => isIP(host) === 0, 'LATCH_RP_ID must be a host name, such as latch.example.com: browsers take no passkeys on an IP address')
    .optional(),
  LATCH_RP_ORIGINS: z.string().optional(),
  LATCH_PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^/?#]+\/?$/, 'LATCH_PUBLIC_URL must be the address people open, such as https://latch.example.com')
    .optional(),
});

/**
 * LATCH_ variables that other parts of Latch read (the desktop app, `npm start`, the tests): the server
 * lets them be. Any other LATCH_ name is a typo of a setting, and a typo must not leave the default
 * standing without a word (LATCH_REGISTRATON=closed would leave sign-up open).
 */
export const OTHER_LATCH_VARIABLES: readonly string[] = [
  'LATCH_SERVER_URL',
  'LATCH_UPDATES',
  'LATCH_UPDATE_URL',
  'LATCH_TEST_KEYRING',
  'LATCH_TEST_POSTGRES_URL',
  'LATCH_CHROMIUM',
  'LATCH_PLAYWRIGHT_JSON',
  'LATCH_DOCS_SCREENSHOTS',
  'LATCH_DIST_SKIP_BUILD',
  'LATCH_CASES_HTTP',
];

/** The server's own settings, by name. */
export const SERVER_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

/** Edits (insert, delete, replace, swap two neighbours) between two names. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The first LATCH_ variable that is no setting of Latch's, as the one-line error that names it. */
export function unknownVariable(env: NodeJS.ProcessEnv): ConfigError | undefined {
  const known = new Set([...SERVER_VARIABLES, ...OTHER_LATCH_VARIABLES]);
  const name = Object.keys(env)
    .filter((key) => key.startsWith('LATCH_') && !known.has(key))
    .sort()[0];
  if (name === undefined) return undefined;
  const [closest] = SERVER_VARIABLES.filter((setting) => setting !== 'PORT' && setting !== 'HOST')
    .map((setting) => ({ setting, distance: editDistance(name, setting) }))
    .sort((a, b) => a.distance - b.distance);
  const suggestion = closest && closest.distance <= Math.max(2, Math.floor(closest.setting.length / 4)) ? `; did you mean ${closest.setting}?` : ` (the settings are listed in README.md, "The server")`;
  return new ConfigError(`${name} is not a Latch setting${suggestion}`);
}

/** An IPv4 or IPv6 address, optionally with a /prefix. */
const isAddressOrCidr = (value: string): boolean => {
  const [address, prefix, ...rest] = value.split('/');
  if (rest.length > 0 || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
};

/**
 * Which proxies may say who the client is: none (false), the nearest N hops,
 * or the proxies at these addresses. Never "every hop": then any client could
 * name any address in X-Forwarded-For.
 */
function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false' || value === '0') return false;
  if (value === 'true') {
    throw new ConfigError(
      'Invalid LATCH_TRUST_PROXY: "true" would trust every hop, so any client could choose its address; give the number of proxies in front of Latch (for example 1) or their addresses (for example 10.0.0.5,10.0.1.0/24)',
    );
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10) throw new ConfigError('Invalid LATCH_TRUST_PROXY: more than 10 proxy hops is not a real deployment');
    return hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.find((entry) => !isAddressOrCidr(entry));
  if (bad !== undefined) throw new ConfigError(`Invalid LATCH_TRUST_PROXY: "${bad}" is neither a hop count nor an IP address or CIDR range`);
  return entries;
}

/** Host header values a public bind accepts (host or host:port, lower case). */
function parseAllowedHosts(raw: string | undefined): string[] | undefined {
  const entries = (raw ?? '').split(',').map((entry) => entry.trim().toLowerCase()).filter(Boolean);
  const bad = entries.find((entry) => !/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(entry));
  if (bad !== undefined) throw new ConfigError(`Invalid LATCH_ALLOWED_HOSTS: "${bad}" is not a host name or host:port`);
  return entries.length > 0 ? entries : undefined;
}

/**
 * The open-file limit of this process (Linux), so the socket ceiling can sit
 * below it; undefined where it cannot be read.
 */
export function openFileLimit(): number | undefined {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Sockets one instance holds at most: a margin below the descriptor limit, for the database, logs and HTTP. */
export function defaultMaxSockets(limit: number | undefined): number {
  if (limit === undefined) return 10_000;
  return Math.max(64, limit - Math.max(256, Math.ceil(limit * 0.1)));
}

/** Connections of every kind: the WebSocket ceiling plus half the margin, so the store and logs keep the rest. */
export function maxConnections(webSockets: number, limit: number | undefined): number {
  if (limit === undefined) return webSockets + 512;
  return Math.max(webSockets + 16, webSockets + Math.floor((limit - webSockets) / 2));
}

export interface SessionPolicy {
  idleTimeoutMs: number;
  lifetimeMs: number;
  /** A browser's session (the account page) is shorter-lived: a cookie in a shared browser is easier to leave behind. */
  browserIdleTimeoutMs: number;
  browserLifetimeMs: number;
  maxSessionsPerUser: number;
  /** last_seen is written at most this often per session. */
  touchIntervalMs: number;
  /** Revoked and expired rows are kept this long for notices and audit. */
  retentionMs: number;
  /**
   * After a rotation, the replaced token still works this long (answers in flight, a lost reply);
   * presented later it is reuse. A token younger than this is not rotated again.
   */
  rotationGraceMs: number;
}

/** Sign-in approval (docs/architecture.md, "Sign-in approval"). */
export interface ApprovalPolicy {
  /** A request waits this long for an answer. */
  requestTtlMs: number;
  /** A waiting device's long poll is answered "still pending" after this long. */
  waitMs: number;
  /** At most this many requests for an account from one address (an IPv6 /64) within `requestTtlMs`, whatever became of them. */
  maxPending: number;
  /** At most this many wait at once from addresses that never signed in to the account. */
  maxPendingPerAccount: number;
  /** After a denial, no new request for this long. */
  cooldownMs: number;
  /** This many denials within `denialWindowMs` pause new sign-ins for `pauseMs`. */
  pauseAfterDenials: number;
  denialWindowMs: number;
  pauseMs: number;
  /** Wrong recovery codes a request takes before it ends. */
  maxCodeAttempts: number;
}

export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = {
  requestTtlMs: 2 * 60_000,
  waitMs: 25_000,
  maxPending: 3,
  maxPendingPerAccount: 30,
  cooldownMs: 30_000,
  pauseAfterDenials: 3,
  denialWindowMs: 15 * 60_000,
  pauseMs: 15 * 60_000,
  maxCodeAttempts: 5,
};

/** How password guesses are throttled; docs/api.md states the policy in words. */
export interface RateLimitPolicy {
  windowMs: number;
  /** Wrong passwords for one account from one address before the progressive delay starts. */
  freeFailuresPerPair: number;
  /** The first delay after those; it doubles with each further attempt, up to windowMs. */
  firstDelayMs: number;
  /** Password attempts (sign-in, registration, password checks) from one address per window. */
  maxAttemptsPerAddress: number;
  /**
   * Wrong passwords for one account from all addresses together per accountWindowMs. Past it, a sign-in from
   * an address the account never signed in from is not checked at all until a code mailed to the owner comes
   * back with it (docs/api.md, "Rate limits": the step-up).
   */
  maxFailuresPerAccount: number;
  accountWindowMs: number;
  /** Accounts created from one address per registrationWindowMs. */
  maxRegistrationsPerAddress: number;
  registrationWindowMs: number;
}

export interface PasswordPolicy {
  /** argon2id parameters (OWASP: m=19 MiB, t=2, p=1 at least). */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
  /** argon2 computations at once, server-wide; the rest wait in a queue. */
  maxConcurrent: number;
  /** Waiting computations beyond which a sign-in is turned away with 503. */
  maxQueued: number;
  /**
   * How often a computation at SCHED_IDLE is looked at for starving (docs/architecture.md, "Password
   * attempts"); 0 never moves one (tests that are not about it, on a machine busy with other tests).
   */
  starvedCheckMs?: number;
}

/** Live WebSockets allowed at once. */
export interface SocketPolicy {
  /** A device needs one; two while it reconnects. */
  perSession: number;
  perAccount: number;
  perAddress: number;
  /** Server-wide ceiling, below the descriptor limit. */
  total: number;
  /** HTTP and WebSocket connections together; past it new connections are refused at once. */
  connections: number;
}

/** Socket timeouts, so a slow or silent client cannot hold a connection open. */
export interface TimeoutPolicy {
  /** The whole request, headers and body, must arrive within this. */
  requestMs: number;
  /** A request's headers (and so the first byte of a new connection) must arrive within this. */
  headersMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: number;
}

/** How mail leaves (docs/architecture.md, "Mail"). */
export interface MailPolicy {
  /** SMTP (LATCH_SMTP_URL), or the local mailbox: each message an .eml file in `dir` and a line in the log. */
  transport: { kind: 'smtp'; url: string } | { kind: 'mailbox'; dir: string };
  from: string;
  /** Where links in mail point (LATCH_PUBLIC_URL); undefined: this server's own address. */
  publicUrl: string | undefined;
  /** The first retry after a failed send; it doubles with each failure up to `retryMaxMs`. */
  retryFirstMs: number;
  retryMaxMs: number;
  /** A message still not sent after this long is given up (and logged as an error). */
  giveUpAfterMs: number;
  /** Security mail waits this long after its first event, so a burst of events is one mail. */
  burstMs: number;
  /** How often the outbox is looked at for mail another instance queued or a retry due. */
  pollMs: number;
  /** How long a mailed code works, and how many wrong tries it takes. */
  codeTtlMs: number;
  codeTries: number;
  /** The operator's tool: it only queues mail, which a running server sends (within `pollMs`). */
  queueOnly?: true;
}

export const DEFAULT_MAIL_POLICY: Omit<MailPolicy, 'transport' | 'from' | 'publicUrl'> = {
  retryFirstMs: 5_000,
  retryMaxMs: 10 * 60_000,
  giveUpAfterMs: 3 * DAY_MS,
  burstMs: 20_000,
  pollMs: 1_000,
  codeTtlMs: 15 * 60_000,
  codeTries: 5,
};

/** false, a number of proxy hops, or the proxies' addresses and CIDR ranges. */
export type TrustProxy = false | number | string[];

export type StoreConfig =
  | { kind: 'sqlite'; file: string }
  /**
   * `poolSize`: connections to PostgreSQL per instance (LATCH_PG_POOL_SIZE, 10 when not given);
   * `timeouts`: what each of Latch's connections is held to (PostgresTimeouts, DEFAULT_PG_TIMEOUTS when not given).
   */
  | { kind: 'postgres'; url: string; poolSize?: number; timeouts?: PostgresTimeouts };

/**
 * Set on each of Latch's PostgreSQL connections (with SET, which a pooler in front passes on, unlike startup
 * options), so a held lock, a runaway statement or a transaction left open gives a clear 503 rather than a hung
 * request; and TCP keepalive, so a connection cut without a word is noticed.
 */
export interface PostgresTimeouts {
  statementMs: number;
  lockMs: number;
  idleInTransactionMs: number;
}

export const DEFAULT_PG_TIMEOUTS: PostgresTimeouts = { statementMs: 10_000, lockMs: 5_000, idleInTransactionMs: 60_000 };

/** Idle time after which TCP keepalive probes a PostgreSQL connection (the pool's and the one that listens). */
export const PG_KEEPALIVE_MS = 30_000;

/** Where city and country come from: the bundled DB-IP Lite database, or nowhere. */
export type LocationDatabase = 'dbip' | 'off';

export interface ServerConfig {
  host: string;
  port: number;
  store: StoreConfig;
  sessions: SessionPolicy;
  approval: ApprovalPolicy;
  rateLimit: RateLimitPolicy;
  passwords: PasswordPolicy;
  logLevel: z.infer<typeof EnvSchema>['LATCH_LOG_LEVEL'];
  /**
   * Which requests get a log line (docs/operations.md, "Service, logs and backups"): by default only a
   * 5xx answer or one slower than `slowMs`; `access`: every request, at `info`.
   */
  requestLog: { access: boolean; slowMs: number };
  trustProxy: TrustProxy;
  /**
   * LATCH_REGISTRATION. Undefined (not set): what the operator last chose with `latch-admin registration`,
   * kept in the database, else open. Set, it wins over that choice, and the tool says so.
   */
  registration: 'open' | 'closed' | undefined;
  /** Host header values accepted when bound to a public address; undefined accepts any. */
  allowedHosts: string[] | undefined;
  sockets: SocketPolicy;
  /** Validated sessions kept in memory between requests (LATCH_SESSION_CACHE_SIZE); 0 reads the store on every check. */
  sessionCacheSize: number;
  timeouts: TimeoutPolicy;
  locations: LocationDatabase;
  /** Signing other devices out needs a password entered on this session within this long. */
  recentAuthMs: number;
  /** The built account page (account.html and assets/); undefined where it is not built. */
  pageDir: string | undefined;
  /** Server pings every socket this often; a socket that missed a pong is dropped. */
  pingIntervalMs: number;
  /** How often a connected session's last_seen and presence are written (off the request path). */
  presenceIntervalMs: number;
  /** How often expired sessions are swept and old rows purged. */
  maintenanceIntervalMs: number;
  /** Where GET /metrics listens (LATCH_METRICS_PORT, LATCH_METRICS_HOST); undefined: nowhere. */
  metrics: { host: string; port: number } | undefined;
  mail: MailPolicy;
  /**
   * The key that encrypts authenticator-app secrets at rest (docs/operations.md, "The secret key"):
   * LATCH_SECRET_KEY, else a key file made in the data folder at first start (`file`); `previous`
   * (LATCH_SECRET_KEY_PREVIOUS) only decrypts, while a rotation re-encrypts what it holds.
   */
  secretKey: { key: string | undefined; previous: string | undefined; file: string };
  /**
   * Passkeys' relying party (docs/api.md, "Passkeys"): the host name they are bound to (LATCH_RP_ID) and the
   * page origins that may use them (LATCH_RP_ORIGINS); by default LATCH_PUBLIC_URL's, else this computer's.
   */
  passkeys: { rpId: string; origins: string[] };
}

export class ConfigError extends Error {}

/**
 * The relying party: LATCH_RP_ID and LATCH_RP_ORIGINS (comma-separated origins), else from LATCH_PUBLIC_URL,
 * else `localhost` and this server's loopback page (a browser takes passkeys on `localhost`, never on an IP
 * address). Every origin must be the RP ID's host or below it.
 */
function passkeyParty(rpId: string | undefined, origins: string | undefined, publicUrl: string | undefined, port: number): ServerConfig['passkeys'] {
  const publicOrigin = publicUrl ? new URL(publicUrl).origin : undefined;
  const id = rpId ?? (publicOrigin ? new URL(publicOrigin).hostname : 'localhost');
  const list = origins
    ? origins.split(',').map((o) => o.trim()).filter(Boolean)
    : publicOrigin
      ? [publicOrigin]
      : [`http://localhost:${port}`];
  for (const origin of list) {
    let host: string;
    try {
      const url = new URL(origin);
      if (url.origin !== origin.replace(/\/$/, '')) throw new Error('not an origin');
      host = url.hostname;
    } catch {
      throw new ConfigError(`Invalid LATCH_RP_ORIGINS: ${origin} is not an origin such as https://latch.example.com`);
    }
    if (host !== id && !host.endsWith(`.${id}`)) throw new ConfigError(`Invalid LATCH_RP_ORIGINS: ${origin} is not on ${id} (LATCH_RP_ID) or below it`);
  }
  return { rpId: id, origins: list.map((o) => o.replace(/\/$/, '')) };
}

/** Where the built account page is: beside the packed server (`web/`), or in this repository's build output. */
export function defaultPageDir(): string | undefined {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return [join(here, '..', '..', 'web'), join(here, '..', '..', '..', 'out', 'renderer')].find((dir) => existsSync(join(dir, 'account.html')));
}

/** The default data folder: XDG data home on Linux, the usual places elsewhere. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Latch', 'server');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Latch', 'server');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'latch', 'server');
}

/** A desktop app's session (a bearer token) or a browser's (the account page's cookie): each has its own lifespan. */
export type SessionKind = 'app' | 'browser';

/** The idle timeout and lifetime of a session of this kind. */
export function lifespan(policy: SessionPolicy, kind: SessionKind): { idleTimeoutMs: number; lifetimeMs: number } {
  return kind === 'browser' ? { idleTimeoutMs: policy.browserIdleTimeoutMs, lifetimeMs: policy.browserLifetimeMs } : { idleTimeoutMs: policy.idleTimeoutMs, lifetimeMs: policy.lifetimeMs };
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  idleTimeoutMs: 14 * DAY_MS,
  lifetimeMs: 90 * DAY_MS,
  browserIdleTimeoutMs: DAY_MS,
  browserLifetimeMs: 7 * DAY_MS,
  maxSessionsPerUser: 50,
  touchIntervalMs: 60_000,
  retentionMs: 30 * DAY_MS,
  rotationGraceMs: 60_000,
};

export const DEFAULT_RATE_LIMIT: RateLimitPolicy = {
  windowMs: 15 * 60_000,
  freeFailuresPerPair: 5,
  firstDelayMs: 1_000,
  maxAttemptsPerAddress: 20,
  maxFailuresPerAccount: 30,
  accountWindowMs: 60 * 60_000,
  maxRegistrationsPerAddress: 10,
  registrationWindowMs: 60 * 60_000,
};

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  // One core stays free for session checks while sign-ins flood in.
  maxConcurrent: Math.max(1, availableParallelism() - 1),
  maxQueued: 64,
};

export const DEFAULT_TIMEOUTS: TimeoutPolicy = { requestMs: 15_000, headersMs: 10_000, keepAliveMs: 5_000 };

export const RECENT_AUTH_MS = 10 * 60_000;

function socketPolicy(maxSessions: number, perAddress: number, total: number | undefined): SocketPolicy {
  const limit = openFileLimit();
  const webSockets = total ?? defaultMaxSockets(limit);
  return { perSession: 2, perAccount: maxSessions * 2, perAddress, total: webSockets, connections: maxConnections(webSockets, limit) };
}

/** Parse the environment; throws ConfigError with one line naming the variable. An empty value is the same as unset, for every variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const unknown = unknownVariable(env);
  if (unknown) throw unknown;
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = EnvSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = issue.path.join('.');
    throw new ConfigError(`Invalid ${name}: ${issue.message}`);
  }
  const e = parsed.data;
  if (e.LATCH_IDLE_TIMEOUT_DAYS > e.LATCH_SESSION_LIFETIME_DAYS) {
    throw new ConfigError('Invalid LATCH_IDLE_TIMEOUT_DAYS: must not exceed LATCH_SESSION_LIFETIME_DAYS');
  }
  if (e.LATCH_BROWSER_IDLE_TIMEOUT_HOURS > e.LATCH_BROWSER_SESSION_LIFETIME_DAYS * 24) {
    throw new ConfigError('Invalid LATCH_BROWSER_IDLE_TIMEOUT_HOURS: must not exceed LATCH_BROWSER_SESSION_LIFETIME_DAYS');
  }
  const store: StoreConfig = e.DATABASE_URL
    ? {
        kind: 'postgres',
        url: e.DATABASE_URL,
        poolSize: e.LATCH_PG_POOL_SIZE,
        timeouts: { statementMs: e.LATCH_PG_STATEMENT_TIMEOUT_MS, lockMs: e.LATCH_PG_LOCK_TIMEOUT_MS, idleInTransactionMs: e.LATCH_PG_IDLE_IN_TRANSACTION_TIMEOUT_MS },
      }
    : { kind: 'sqlite', file: join(e.LATCH_DATA_DIR ?? defaultDataDir(given), 'latch.sqlite') };
  const mailbox = join(e.LATCH_DATA_DIR ?? defaultDataDir(given), 'mailbox');
  const secretKey = { key: e.LATCH_SECRET_KEY, previous: e.LATCH_SECRET_KEY_PREVIOUS, file: join(e.LATCH_DATA_DIR ?? defaultDataDir(given), 'secret.key') };
  return {
    host: e.HOST,
    port: e.PORT,
    store,
    sessions: {
      ...DEFAULT_SESSION_POLICY,
      idleTimeoutMs: e.LATCH_IDLE_TIMEOUT_DAYS * DAY_MS,
      lifetimeMs: e.LATCH_SESSION_LIFETIME_DAYS * DAY_MS,
      browserIdleTimeoutMs: e.LATCH_BROWSER_IDLE_TIMEOUT_HOURS * 60 * 60_000,
      browserLifetimeMs: e.LATCH_BROWSER_SESSION_LIFETIME_DAYS * DAY_MS,
      maxSessionsPerUser: e.LATCH_MAX_SESSIONS,
    },
    approval: DEFAULT_APPROVAL_POLICY,
    rateLimit: DEFAULT_RATE_LIMIT,
    passwords: DEFAULT_PASSWORD_POLICY,
    logLevel: e.LATCH_LOG_LEVEL,
    requestLog: { access: e.LATCH_ACCESS_LOG === 'on', slowMs: e.LATCH_SLOW_REQUEST_MS },
    trustProxy: parseTrustProxy(e.LATCH_TRUST_PROXY),
    registration: e.LATCH_REGISTRATION,
    allowedHosts: parseAllowedHosts(e.LATCH_ALLOWED_HOSTS),
    sockets: socketPolicy(e.LATCH_MAX_SESSIONS, e.LATCH_MAX_SOCKETS_PER_ADDRESS, e.LATCH_MAX_SOCKETS),
    sessionCacheSize: e.LATCH_SESSION_CACHE_SIZE,
    timeouts: DEFAULT_TIMEOUTS,
    locations: e.LATCH_LOCATIONS,
    recentAuthMs: RECENT_AUTH_MS,
    pageDir: e.LATCH_PAGE_DIR ?? defaultPageDir(),
    pingIntervalMs: 25_000,
    presenceIntervalMs: 60_000,
    maintenanceIntervalMs: 60 * 60_000,
    metrics: e.LATCH_METRICS_PORT === undefined ? undefined : { host: e.LATCH_METRICS_HOST, port: e.LATCH_METRICS_PORT },
    mail: {
      ...DEFAULT_MAIL_POLICY,
      transport: e.LATCH_SMTP_URL ? { kind: 'smtp', url: e.LATCH_SMTP_URL } : { kind: 'mailbox', dir: mailbox },
      from: e.LATCH_MAIL_FROM,
      publicUrl: e.LATCH_PUBLIC_URL?.replace(/\/$/, ''),
    },
    secretKey,
    passkeys: passkeyParty(e.LATCH_RP_ID, e.LATCH_RP_ORIGINS, e.LATCH_PUBLIC_URL, e.PORT),
  };
}
