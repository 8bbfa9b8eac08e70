// The auth-library peer: Better Auth with email and password on its own
// recommended SQLite setup (a better-sqlite3 database handed to `betterAuth`),
// mounted on Fastify as its Fastify guide shows. Its rate limiter is off, as
// Latch has none on session checks. BETTER_AUTH_MODE picks how a session is
// checked, so that each of its documented setups is measured for what it is:
// - `handler`: its defaults, `GET /api/auth/get-session` through its HTTP
//   handler, reading the database on every request;
// - `api`: `auth.api.getSession` called in a Fastify route (`GET /session`),
//   still reading the database every time;
// - `secondary`: the same route with `secondaryStorage` (an in-process map,
//   as a Redis would be, without the network), its fast mode that still
//   refuses a revoked session at once;
// - `cookieCache`: the same route with `session.cookieCache` at its default
//   maxAge (5 minutes), which answers from a signed cookie and so keeps
//   accepting a revoked session until the cookie's copy expires.
import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { fromNodeHeaders } from 'better-auth/node';
import Fastify from 'fastify';

export type BetterAuthMode = 'handler' | 'api' | 'secondary' | 'cookieCache';

const port = Number(process.env.PORT ?? 0);
const file = process.env.BETTER_AUTH_DB;
const mode = (process.env.BETTER_AUTH_MODE ?? 'handler') as BetterAuthMode;
if (!file) throw new Error('BETTER_AUTH_DB is not set');

/** Better Auth's secondary-storage interface over a Map, with TTLs in seconds. */
function memoryStorage() {
  const values = new Map<string, { value: string; until: number }>();
  const read = (key: string) => {
    const entry = values.get(key);
    if (entry && entry.until <= Date.now()) values.delete(key);
    return entry && entry.until > Date.now() ? entry.value : null;
  };
  const write = (key: string, value: string, ttl?: number) => void values.set(key, { value, until: ttl ? Date.now() + ttl * 1000 : Infinity });
  return {
    get: read,
    set: write,
    delete: (key: string) => void values.delete(key),
    getAndDelete: (key: string) => {
      const value = read(key);
      values.delete(key);
      return value;
    },
    increment: (key: string, ttl: number) => {
      const next = Number(read(key) ?? 0) + 1;
      const entry = values.get(key);
      if (entry) entry.value = String(next);
      else write(key, String(next), ttl);
      return next;
    },
  };
}

const auth = betterAuth({
  database: new Database(file),
  emailAndPassword: { enabled: true },
  secret: 'bench-secret-bench-secret-bench-secret-0123',
  baseURL: `http://127.0.0.1:${port}`,
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  ...(mode === 'secondary' ? { secondaryStorage: memoryStorage() } : {}),
  ...(mode === 'cookieCache' ? { session: { cookieCache: { enabled: true, maxAge: 5 * 60 } } } : {}),
});
const { runMigrations } = await getMigrations(auth.options);
await runMigrations();

const app = Fastify({ logger: false });
app.route({
  method: ['GET', 'POST'],
  url: '/api/auth/*',
  async handler(request, reply) {
    const url = new URL(request.url, `http://${request.headers.host}`);
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const response = await auth.handler(new Request(url, { method: request.method, headers: fromNodeHeaders(request.headers), body }));
    reply.status(response.status);
    response.headers.forEach((value, key) => void reply.header(key, value));
    return reply.send(response.body ? await response.text() : null);
  },
});
// A route of the application's own that asks for the session, as its docs show for a server framework.
app.get('/session', async (request, reply) => {
  const session = await auth.api.getSession({ headers: fromNodeHeaders(request.headers) });
  return session ? reply.send(session) : reply.status(401).send({ error: 'unauthenticated' });
});
await app.listen({ host: '127.0.0.1', port });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
