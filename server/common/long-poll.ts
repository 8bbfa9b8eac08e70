// A route that holds its request open on purpose (a sign-in's wait for a device's answer, up to 25 s):
// its time is no sign of a slow server, so the request log does not call it slow (server/app.ts, RequestLog).
import { RouteConfig } from '@nestjs/platform-fastify';

const LONG_POLL_CONFIG = { longPoll: true } as const;

/** Marks a route as a long poll. */
export const LongPoll = () => RouteConfig(LONG_POLL_CONFIG);

export const isLongPoll = (config: unknown): boolean => (config as { longPoll?: unknown } | undefined)?.longPoll === true;
