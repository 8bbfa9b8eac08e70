// The auth-library peer: Better Auth with email and password on its own
// recommended SQLite setup (a better-sqlite3 database handed to `betterAuth`),
// mounted on Fastify as its Fastify guide shows. Its rate limiter is off, as
// Latch has none on session checks; everything else is its defaults, so
// `GET /api/auth/get-session` reads the store on every request, as Latch's
// check does on a cache miss.
import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { fromNodeHeaders } from 'better-auth/node';
import Fastify from 'fastify';

const port = Number(process.env.PORT ?? 0);
const file = process.env.BETTER_AUTH_DB;
if (!file) throw new Error('BETTER_AUTH_DB is not set');

const auth = betterAuth({
  database: new Database(file),
  emailAndPassword: { enabled: true },
  secret: 'bench-secret-bench-secret-bench-secret-0123',
  baseURL: `http://127.0.0.1:${port}`,
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
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
await app.listen({ host: '127.0.0.1', port });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
