// Serves the account page (docs/architecture.md, "The account page"): its HTML never cached and under a
// strict Content-Security-Policy (no inline script, no other origin, never in a frame), its hashed assets
// cached for a year. Built by the same toolchain as the desktop app's windows (`npm run build:app`).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../common/api-error.js';
import { CONFIG } from '../common/di-tokens.js';
import { trustFunction, type TrustFunction } from '../http/http-edge.js';
import { Routes } from '../../shared/routes.js';
import type { ErrorSay } from '../../shared/api.js';
import { Endpoint, RouteParam } from '../http/endpoint.js';
import type { ServerConfig } from '../config/config.js';
import { publicOrigin } from '../http/browser.js';

/** The page's policy: its own scripts, styles and connections only; no plugin, no frame, no form elsewhere. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const ASSET = /^[A-Za-z0-9_-]+\.(js|css)$/;
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

const NO_FILE: ErrorSay = { key: 'no_file' };
const noFile = () => new ApiError(404, 'not_found', NO_FILE);
const notBuilt = () => new ApiError(404, 'not_found', { key: 'page_not_built' });

@Controller()
export class PageController {
  private readonly trust: TrustFunction;
  private readonly dir: string | undefined;
  private html: Buffer | undefined;
  /** Read once each: a build's files never change under their hashed names. */
  private readonly assets = new Map<string, Buffer>();

  constructor(@Inject(CONFIG) config: ServerConfig) {
    this.trust = trustFunction(config.trustProxy);
    this.dir = config.pageDir;
  }

  /** The server's root leads to the one page it serves, rather than to a JSON 404. */
  @Endpoint(Routes.root)
  root(@Res() reply: FastifyReply): void {
    void reply.redirect('/account', 302);
  }

  @Endpoint(Routes.accountPage)
  page(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    if (!this.dir) throw notBuilt();
    this.html ??= readFileSync(join(this.dir, 'account.html'));
    void reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', PAGE_CSP)
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .header('cross-origin-opener-policy', 'same-origin');
    if (publicOrigin(request.raw, this.trust).scheme === 'https') void reply.header('strict-transport-security', 'max-age=31536000');
    void reply.send(this.html);
  }

  /** Under content-hashed names: a new build is new names, so a year's caching never serves a stale file. */
  @Endpoint(Routes.pageAsset)
  asset(@RouteParam(Routes.pageAsset, 'file', NO_FILE) file: string, @Res() reply: FastifyReply): void {
    const type = ASSET.exec(file)?.[1];
    const path = this.dir && type ? join(this.dir, 'assets', file) : undefined;
    if (!path || (!this.assets.has(file) && !existsSync(path))) throw noFile();
    if (!this.assets.has(file)) this.assets.set(file, readFileSync(path));
    void reply
      .header('content-type', TYPES[type!]!)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(this.assets.get(file));
  }
}
