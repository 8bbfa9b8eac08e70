// Builds and starts a Latch server; used by main.ts, the tests and the benchmarks.
import 'reflect-metadata';
import type { IncomingMessage, RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino, type DestinationStream, type Logger } from 'pino';
import { MAX_BODY_BYTES } from '../shared/api.js';
import { AppModule } from './app.module.js';
import { SignInApproval } from './approval/sign-in-approval.js';
import { AuthGuard } from './auth/auth.guard.js';
import { AuthService } from './auth/auth.service.js';
import { PasswordHasher } from './passwords/passwords.js';
import { registerSessionCheck } from './auth/session-route.js';
import { systemClock, type Clock } from './common/clock.js';
import { ApiError, toApiError } from './common/api-error.js';
import { ApiExceptionFilter } from './common/exception.filter.js';
import { requestIp } from './http/request-context.js';
import { checkServedRoutes } from './http/endpoint.js';
import { clientAddress, createEdgeServer, hostChecker, refusedAtEdge, trustFunction, type TrustFunction } from './http/http-edge.js';
import { isLongPoll } from './common/long-poll.js';
import type { ServerConfig } from './config/config.js';
import { RealtimeGateway } from './realtime/realtime.gateway.js';
import { MetricsServer } from './metrics/metrics-server.js';
import { Metrics } from './metrics/metrics.js';
import { MailOutbox } from './mail/outbox.js';
import { MaintenanceJob } from './maintenance/maintenance.job.js';
import { SessionsService } from './sessions/sessions.service.js';
import { Store } from './storage/store.js';

export interface StartOptions {
  config: ServerConfig;
  clock?: Clock;
  /** Where log lines go (stdout by default); tests capture them here. */
  logDestination?: DestinationStream;
}

export interface RunningServer {
  /** http://host:port */
  url: string;
  port: number;
  store: Store;
  log: Logger;
  sessions: SessionsService;
  approval: SignInApproval;
  gateway: RealtimeGateway;
  maintenance: MaintenanceJob;
  passwords: PasswordHasher;
  /** http://host:port of GET /metrics; undefined when LATCH_METRICS_PORT is not set. */
  metricsUrl: string | undefined;
  /** The Host values it answers to; undefined: any (docs/operations.md, "Host names"). */
  allowedHosts: Set<string> | undefined;
  close(): Promise<void>;
}

/** Paths pino must never print, whatever a log call is handed. */
const REDACT = ['req.headers.authorization', 'headers.authorization', 'authorization', 'req.headers.cookie', 'headers.cookie', 'cookie', 'res.headers["set-cookie"]', 'token', '*.token', 'password', '*.password'];

/**
 * A request as the log shows it: the path without its query string, which could carry anything, and the
 * client's address by the rule the routes store it by (behind trusted proxies, the client's, not the proxy's).
 */
const requestForLog = (request: Pick<FastifyRequest, 'method' | 'url' | 'ip' | 'socket'>) => ({
  method: request.method,
  // Cut short: the path is the client's, and a line per request must stay a line.
  path: (request.url ?? '').split('?')[0]!.slice(0, 200),
  remoteAddress: requestIp(request),
});

export function createLogger(level: ServerConfig['logLevel'], destination?: DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { app: 'latch-server' }, serializers: { req: requestForLog } },
    destination,
  );
}

/** At most this many lines a second for slow and failed requests; the next line says how many were left out. */
const REQUEST_LINES_PER_SECOND = 10;

/**
 * One line for a request that says something: a 5xx answer, or one slower than `slowMs` (a long poll is
 * slow on purpose and never counts), at `warn`, at most REQUEST_LINES_PER_SECOND a second; with the access
 * log on, also one line at `info` for every other request. Fastify asks this for every request it has
 * answered, so it costs no hook of its own; its two default lines are gone. What an operator gives up by
 * default, and how to get it back: docs/operations.md, "Service, logs and backups".
 */
class RequestLog extends LogController {
  private second = -1;
  private written = 0;
  private leftOut = 0;

  constructor(
    private readonly log: Logger,
    private readonly options: ServerConfig['requestLog'],
    private readonly clock: Clock,
  ) {
    // Fastify's other per-request lines (a 404's, its default error handler's) stay off: the filter logs errors.
    super({ disableRequestLogging: true });
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const ms = reply.elapsedTime;
    const status = reply.statusCode;
    const failed = error != null || status >= 500;
    if (failed || (ms >= this.options.slowMs && !isLongPoll(request.routeOptions.config))) {
      if (!this.mayWrite()) return;
      const unlogged = this.leftOut;
      this.leftOut = 0;
      this.log.warn(
        { req: request, status, ms: Math.round(ms), ...(error ? { err: error.message } : {}), ...(unlogged ? { unlogged } : {}) },
        failed ? 'request failed' : 'slow request',
      );
    } else if (this.options.access) this.log.info({ req: request, status, ms: Math.round(ms * 10) / 10 }, 'request');
  }

  /** Whether this second has room for another warning; counts the ones it has not. */
  private mayWrite(): boolean {
    const second = Math.floor(this.clock.now() / 1000);
    if (second !== this.second) {
      this.second = second;
      this.written = 0;
    }
    if (this.written >= REQUEST_LINES_PER_SECOND) {
      this.leftOut++;
      return false;
    }
    this.written++;
    return true;
  }
}

/** Nest's own messages (module wiring, route mapping) go to the same pino logger. */
class NestPinoLogger implements LoggerService {
  constructor(private readonly pinoLogger: Logger) {}
  log(message: unknown, context?: string) {
    this.pinoLogger.debug({ context }, String(message));
  }
  error(message: unknown, _trace?: string, context?: string) {
    // A failure while the app is built (the store cannot be opened) or starts to listen (HOST cannot be had)
    // is thrown to startServer's caller, which reports it once.
    if (context === 'ExceptionHandler' || context === 'NestApplication') return;
    this.pinoLogger.error({ context }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.pinoLogger.warn({ context }, String(message));
  }
}

/** How often at most a refused request is logged; the line says how many were refused since the last. */
const REFUSAL_LOG_INTERVAL_MS = 60_000;

/**
 * The edge's refusals (a Host this server does not answer to, a doubled Host) for HTTP and WebSocket
 * alike, logged at most once a minute so that a scan cannot flood the log.
 */
function edgeRefusals(checkHost: (host: string | undefined) => boolean, log: Logger, clock: Clock, trust: TrustFunction) {
  let loggedAt = -Infinity;
  let refused = 0;
  /** A few of the Host values refused since the last line, so one request cannot hide the others behind a count. */
  const hosts = new Set<string>();
  return (request: IncomingMessage): ApiError | undefined => {
    const error = refusedAtEdge(request, checkHost);
    if (error === undefined) return undefined;
    refused++;
    // Printable ASCII only, and short: the value is the client's.
    const host = (request.headers.host ?? '').slice(0, 100).replace(/[^\x21-\x7e]/g, '?');
    if (hosts.size < 5) hosts.add(host);
    const now = clock.now();
    if (now - loggedAt >= REFUSAL_LOG_INTERVAL_MS) {
      loggedAt = now;
      log.warn({ status: error.status, code: error.code, host, hosts: [...hosts], remoteAddress: clientAddress(request, trust), refused }, `refused a request at the edge: ${error.message}`);
      refused = 0;
      hosts.clear();
    }
    return error;
  };
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const log = createLogger(config.logLevel, options.logDestination);
  const trust = trustFunction(config.trustProxy);

  let httpServer: Server | undefined;
  const checkHost = hostChecker(config, () => httpServer!.address() as AddressInfo);
  const refuse = edgeRefusals(checkHost, log, clock, trust);
  const adapter = new FastifyAdapter({
    loggerInstance: log,
    bodyLimit: MAX_BODY_BYTES,
    // No proxy configured: Fastify's plain request, without the proxy-aware getters.
    trustProxy: config.trustProxy === false ? false : trust,
    return503OnClosing: true,
    // No Nest middleware here: without middie, no hook of its own runs on every request.
    skipMiddie: true,
    // Fastify's two lines per request ("incoming request", "request completed") cost the session check as
    // much as the check itself at `info`; RequestLog writes one line, and only when it says something.
    // Nor does a request need a child logger binding its id: making one per request showed on the session
    // check (docs/performance.md, "Logging at the default level").
    logController: new RequestLog(log, config.requestLog, clock),
    childLoggerFactory: (logger: FastifyBaseLogger) => logger,
    // Timeouts, the Host check and security headers (docs/operations.md).
    serverFactory: (handler: RequestListener) =>
      (httpServer = createEdgeServer({ timeouts: config.timeouts, maxConnections: config.sockets.connections }, refuse, handler)),
    // Errors Fastify's router raises before Nest sees the request (a malformed URL).
    frameworkErrors: (error: Error, _request: unknown, reply: FastifyReply) => {
      const apiError = toApiError(error) ?? new ApiError(400, 'bad_request', { key: 'request_invalid' });
      void reply.status(apiError.status).send(apiError.toBody());
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot({ config, clock, log }), adapter, {
    logger: new NestPinoLogger(log),
    abortOnError: false,
    // JSON only: no form-encoded bodies (Fastify parses JSON itself).
    bodyParser: false,
  });
  const metrics = app.get(Metrics);
  app.useGlobalFilters(new ApiExceptionFilter(log, (code) => metrics.limited.inc({ limiter: code })));
  const fastify = app.getHttpAdapter().getInstance();
  // Bodies are JSON only: without this, Fastify reads text/plain as a string and the route answers 400 instead of 415.
  fastify.removeContentTypeParser('text/plain');
  const served: string[] = [];
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') served.push(`${method} ${route.url}`);
  });
  registerSessionCheck(fastify, app.get(AuthGuard), app.get(AuthService), log);
  const gateway = app.get(RealtimeGateway);
  const server = app.getHttpServer() as Server;
  gateway.attach(server, refuse);
  await app.init();
  try {
    checkServedRoutes(served);
  } catch (error) {
    await app.close();
    throw error;
  }
  await app.listen({ port: config.port, host: config.host });

  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  app.get(MailOutbox).listensAt(`http://${host}:${address.port}`);
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    store: app.get(Store),
    log,
    sessions: app.get(SessionsService),
    approval: app.get(SignInApproval),
    gateway,
    maintenance: app.get(MaintenanceJob),
    passwords: app.get(PasswordHasher),
    allowedHosts: checkHost.allowed(),
    metricsUrl: app.get(MetricsServer).url,
    close: () =>
      // Nest's hooks: the gateway ends its sockets before the HTTP server closes, the store closes last.
      (closed ??= app.close()),
  };
}
