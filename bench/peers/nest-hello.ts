// The framework floor: Nest on Fastify set up as Latch's server is (pino at
// `warn`, a global guard, no body parser, no middie), answering the bare Fastify peer's
// small JSON object. Its guard lets everything through, so the gap between this
// and bare Fastify is what Nest costs per request before Latch does any work.
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, type CanActivate } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';

@Injectable()
class AllowAll implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@Controller()
class HelloController {
  @Get('hello')
  hello() {
    return { status: 'ok' };
  }
}

@Module({ controllers: [HelloController], providers: [{ provide: APP_GUARD, useClass: AllowAll }] })
class HelloModule {}

// As Latch's: no middie, and no child logger per request at `warn`.
const adapter = new FastifyAdapter({ loggerInstance: pino({ level: 'warn' }), skipMiddie: true, childLoggerFactory: (logger: FastifyBaseLogger) => logger });
const app = await NestFactory.create<NestFastifyApplication>(HelloModule, adapter, { logger: false, bodyParser: false });
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
