// `npm run server`: parse the environment, start, and stop cleanly on a signal.
// First of all, before any other module loads: the Node.js version (node-version.ts), then tick-map.ts (it says why).
import './common/node-version.js';
import './common/tick-map.js';
import { ConfigError, loadConfig, openFileLimit, type ServerConfig } from './config/config.js';
import { startServer } from './app.js';
import { describeAllowedHosts, isLoopback } from './http/http-edge.js';
import { sharedHostWarning } from './http/browser.js';
import { postgresTarget } from './storage/database.js';

/** A listen that failed, as one line naming HOST and PORT; undefined for anything else. */
function listenProblem(error: unknown, config: ServerConfig): string | undefined {
  const code = (error as { code?: string }).code;
  const where = `${config.host}:${config.port} (HOST, PORT)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot listen on ${where}: ${config.host} is not an address or a name this machine resolves`;
  if (code === 'EADDRNOTAVAIL') return `cannot listen on ${where}: that address is not one of this machine's`;
  if (code === 'EADDRINUSE') return `cannot listen on ${where}: another program is listening there`;
  if (code === 'EACCES') return `cannot listen on ${where}: a port below 1024 needs a privilege this user lacks`;
  return undefined;
}

async function main(): Promise<void> {
  let config: ServerConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`latch-server: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({ config });
  } catch (error) {
    const listen = listenProblem(error, config);
    if (!listen) throw error;
    process.stderr.write(`latch-server: could not start: ${listen}\n`);
    process.exit(1);
  }
  const store = config.store.kind === 'sqlite' ? `SQLite at ${config.store.file}` : `PostgreSQL at ${postgresTarget(config.store.url)}`;
  server.log.info(`Latch server listening on ${server.url} (${store}); it ${describeAllowedHosts(server.allowedHosts)}`);
  // Started by `npm start` (scripts/start.mjs) with a channel: say so there too, whatever the log level, so it
  // never takes another program answering on the port for this server.
  process.send?.({ type: 'listening', url: server.url }, undefined, {}, () => process.disconnect());
  const shared = sharedHostWarning(config.allowedHosts);
  if (shared) server.log.warn(shared);
  if (config.mail.transport.kind === 'mailbox') {
    const mailbox = `Mail goes to the local mailbox, ${config.mail.transport.dir}, and every code into this log: nobody receives it.`;
    // Fine for trying Latch on this computer; a server others use needs SMTP to reset passwords and send alerts.
    if (isLoopback(new URL(server.url).hostname.replace(/^\[|\]$/g, ''))) server.log.info(`${mailbox} Set LATCH_SMTP_URL to send it (docs/operations.md, "Mail").`);
    else server.log.warn(`${mailbox} People cannot reset a password or hear of a new sign-in: set LATCH_SMTP_URL (docs/operations.md, "Mail").`);
  }
  const limit = openFileLimit();
  server.log.info(
    `Holds up to ${config.sockets.total} live connections (open-file limit ${limit ?? 'unknown'}); past that, new ones get 503 and /healthz keeps answering. Raise LimitNOFILE to hold more (docs/operations.md).`,
  );
  const stop = (signal: NodeJS.Signals) => {
    server.log.info(`Stopping on ${signal}: ending live connections, then closing the store`);
    void server.close().then(() => {
      server.log.info('Latch server stopped');
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`latch-server: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
