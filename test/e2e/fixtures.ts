// A lab per test: a real server (SQLite in a temp folder) and devices, each a
// browser host running the real core with the real keychain, and a page.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { test as base, expect, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { TokenVault } from '../../electron/core/token-vault.js';
import { startDeviceHost, type DeviceHost } from '../harness/host.js';
import type { Clock } from '../../server/common/clock.js';
import { ManualClock } from '../support/clock.js';
import { GENEROUS_RATE_LIMIT, startTestServer, tempSqlite, type TestServer } from '../support/server.js';
import { DEFAULT_APPROVAL_POLICY, type ServerConfig } from '../../server/config/config.js';
import { AxeBuilder } from '@axe-core/playwright';
import Database from 'better-sqlite3';
import { device as deviceInfo, Http, SIGN_UP_SUBJECT, uniqueEmail } from '../../kit/http.js';
import { codeMailedTo } from '../../kit/mailbox.js';
import { AuthResult, type DeviceInfo } from '../../shared/api.js';

/**
 * The lab's server trusts one proxy hop, so a device seeded over HTTP can say
 * where it signs in from (X-Forwarded-For); its throttle lets a test sign in
 * 50 devices from one address.
 */
const LAB_CONFIG = { trustProxy: 1, rateLimit: GENEROUS_RATE_LIMIT, approval: { ...DEFAULT_APPROVAL_POLICY, waitMs: 1_000 } };

export const PASSWORD = 'correct horse battery staple';
const RENDERER_DIR = resolve('out/renderer');
const ADMIN_CLI = resolve('dist/server/admin/cli.js');
const SHOTS_DIR = resolve('test-results/screenshots');

export interface Device {
  name: string;
  host: DeviceHost;
  page: Page;
  context: BrowserContext;
  profile: string;
  appDataDir: string;
  /** Keychain account of this device. */
  account: string;
  /** Opens the devices window as a second page of this device. */
  openDevicesWindow(): Promise<Page>;
  /** Stops this device's host and starts it again with the same profile. */
  restart(): Promise<void>;
}

export class Lab {
  server!: TestServer;
  readonly email = uniqueEmail('e2e');
  private readonly sqlite = tempSqlite();
  private readonly devices: Device[] = [];
  private readonly contexts: BrowserContext[] = [];
  private port = 0;

  constructor(private readonly browser: Browser) {}

  get serverUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = await startTestServer(this.sqlite.store, { config: LAB_CONFIG });
    this.port = this.server.port;
  }

  async stopServer(): Promise<void> {
    await this.server.close();
  }

  async restartServer(options: { clock?: Clock; config?: Partial<ServerConfig> } = {}): Promise<void> {
    this.server = await startTestServer(this.sqlite.store, { ...(options.clock ? { clock: options.clock } : {}), config: { ...LAB_CONFIG, ...options.config, port: this.port } });
  }

  /**
   * Makes the lab's account one whose address was never confirmed, as accounts made before Latch confirmed
   * addresses are (straight in the store: no route un-confirms an address).
   */
  unconfirmEmail(): void {
    const db = new Database(this.sqlite.store.kind === 'sqlite' ? this.sqlite.store.file : '');
    db.prepare('update users set email_verified_at = null where email = ?').run(this.email);
    db.close();
  }

  /**
   * The operator's tool on the lab's store, as an operator runs it (its own process, the store from the
   * environment); its output, or an error with what it said.
   */
  admin(...args: string[]): Promise<string> {
    const file = this.sqlite.store.kind === 'sqlite' ? this.sqlite.store.file : '';
    // Not spawnSync: the server that hears the tool runs in this process.
    const child = spawn(process.execPath, [ADMIN_CLI, ...args], { env: { PATH: process.env.PATH ?? '', HOME: dirname(file), LATCH_DATA_DIR: dirname(file) } });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    return new Promise((resolve, reject) => child.on('close', (status) => (status === 0 ? resolve(out) : reject(new Error(`latch-admin ${args.join(' ')}: ${out}`)))));
  }

  /** Restarts the server, before any device signs in, on a clock the test moves. */
  async useManualClock(): Promise<ManualClock> {
    const clock = new ManualClock();
    await this.stopServer();
    await this.restartServer({ clock });
    return clock;
  }

  /** A device's windows, in a browser context of their own; `locale`: the language and habits of its OS (English by default). */
  async device(name: string, options: { colorScheme?: 'light' | 'dark'; locale?: string; hostname?: 'localhost' } = {}): Promise<Device> {
    const appDataDir = mkdtempSync(join(tmpdir(), 'latch-e2e-'));
    const profile = `e2e${process.pid}x${this.devices.length}x${Date.now().toString(36)}`;
    const hostOptions = {
      rendererDir: RENDERER_DIR,
      serverUrl: this.serverUrl,
      profile,
      appDataDir,
      deviceName: name,
      backoff: { initialMs: 100, maxMs: 1_000 },
      ...(options.hostname ? { hostname: options.hostname } : {}),
    };
    const context = await this.browser.newContext({ viewport: { width: 800, height: 600 }, colorScheme: options.colorScheme ?? 'light', locale: options.locale ?? 'en-US' });
    const device: Device = {
      name,
      host: await startDeviceHost(hostOptions),
      context,
      page: await context.newPage(),
      profile,
      appDataDir,
      account: TokenVault.accountFor(profile, this.serverUrl),
      openDevicesWindow: async () => {
        const page = await context.newPage();
        await page.goto(`${device.host.url}#/devices`);
        await expect(page.getByRole('heading', { name: options.locale?.startsWith('de') ? 'Angemeldete Geräte' : 'Signed-in devices', level: 1 })).toBeVisible();
        return page;
      },
      restart: async () => {
        await device.host.close();
        device.host = await startDeviceHost(hostOptions);
        await device.page.goto(device.host.url);
      },
    };
    await device.page.goto(device.host.url);
    this.devices.push(device);
    return device;
  }

  /**
   * Restarts the server, before any device signs in, taking passkeys (RP ID `localhost`) from the pages of
   * `devices` (made with `hostname: 'localhost'`) and from its own account page at `http://localhost:PORT`.
   */
  async allowPasskeysFrom(devices: Device[], options: { clock?: Clock } = {}): Promise<void> {
    const origins = [...devices.map((d) => new URL(d.host.url).origin), `http://localhost:${this.port}`];
    await this.stopServer();
    await this.restartServer({ ...options, config: { passkeys: { rpId: 'localhost', origins } } });
  }

  /** The server's account page in a browser of its own (its own cookies), at `width` px; at `localhost` for passkeys. */
  async accountPage(options: { width?: number; colorScheme?: 'light' | 'dark'; locale?: string; hostname?: 'localhost' } = {}): Promise<{ page: Page; context: BrowserContext }> {
    const context = await this.browser.newContext({ viewport: { width: options.width ?? 1280, height: 800 }, colorScheme: options.colorScheme ?? 'light', locale: options.locale ?? 'en-US' });
    this.contexts.push(context);
    const page = await context.newPage();
    await page.goto(options.hostname ? `http://localhost:${this.port}/account` : `${this.serverUrl}/account`);
    return { page, context };
  }

  /** Signs another device into the lab's account over HTTP, as if from `from` (an IP address). */
  async seed(name: string, options: { from?: string; os?: string; platform?: DeviceInfo['platform'] } = {}): Promise<AuthResult> {
    const reply = await new Http(this.server.url).request('POST', '/v1/auth/login', {
      json: { email: this.email, password: PASSWORD, device: { ...deviceInfo(name, options.platform ?? 'linux'), ...(options.os ? { os: options.os } : {}) } },
      ...(options.from ? { headers: { 'x-forwarded-for': options.from } } : {}),
    });
    if (reply.status !== 200) throw new Error(`seeding ${name} failed: ${reply.status} ${reply.text}`);
    return AuthResult.parse(reply.body);
  }

  async close(): Promise<void> {
    for (const context of this.contexts) await context.close();
    for (const d of this.devices) {
      await d.context.close();
      await d.host.close();
      rmSync(d.appDataDir, { recursive: true, force: true });
    }
    await this.server.close();
    this.sqlite.dispose();
  }
}

export const test = base.extend<{ lab: Lab }>({
  lab: async ({ browser }, use) => {
    const lab = new Lab(browser);
    await lab.start();
    await use(lab);
    await lab.close();
  },
});
export { expect };

/** Fills and submits the sign-in form the way a person would. */
export async function signIn(page: Page, options: { email: string; password?: string; create?: boolean; serverUrl?: string }): Promise<void> {
  if (options.create) await page.getByRole('button', { name: 'Create an account instead' }).click();
  if (options.serverUrl !== undefined) await page.getByLabel('Server').fill(options.serverUrl);
  await page.getByLabel('Email').fill(options.email);
  await page.getByLabel('Password').fill(options.password ?? PASSWORD);
  await page.getByRole('button', { name: options.create ? 'Create account' : 'Sign in', exact: true }).click();
  if (!options.create) return;
  // As a person does: the code from the mail (the server's local mailbox) finishes the account.
  await expect(page.getByRole('heading', { name: 'Check your mail' })).toBeVisible();
  await page.getByLabel('Code from the mail').fill(await codeMailedTo(options.email, SIGN_UP_SUBJECT));
  await page.getByRole('button', { name: 'Create account', exact: true }).click();
}

/** The forced sign-out notice on the sign-in screen (a region named by its title). */
/** Signs one device out from a devices list as a person does: its Sign out button, then the question's Yes. */
export async function signOutDevice(scope: Page | Locator, name: string): Promise<void> {
  await scope.getByRole('button', { name: `Sign out '${name}'`, exact: true }).click();
  await scope.getByRole('group', { name: `Confirm signing out '${name}'` }).getByRole('button', { name: `Yes, sign out '${name}'` }).click();
}

export const noticeOf = (page: Page) => page.getByRole('region', { name: /^(Signed out|Time to sign in again|Signed out to protect your account)$/ });
/** The new-sign-in alert: one region however many sign-ins it holds. */
export const signInAlerts = (page: Page) => page.getByRole('region', { name: /new sign-in/i });
/** The connection pill ("Online", "Reconnecting…", "Offline"); changes to it are announced by the live region. */
export const connectionPill = (page: Page, text: string) => page.locator('.pill', { hasText: text });
/** What the polite live region said last. */
export const liveRegion = (page: Page) => page.locator('[aria-live="polite"][role="status"]').last();

/** Saves a screenshot as a test artifact (and for the docs when LATCH_DOCS_SCREENSHOTS is set). */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  await page.screenshot({ path: join(SHOTS_DIR, `${name}.png`) });
  const docs = process.env.LATCH_DOCS_SCREENSHOTS;
  if (docs) {
    mkdirSync(docs, { recursive: true });
    await page.screenshot({ path: join(docs, `${name}.png`) });
  }
}

/** A creates the account as 'Work laptop', B signs in as 'Home desktop'; both show the home screen. */
export async function signedInPair(lab: Lab): Promise<{ a: Device; b: Device }> {
  const a = await lab.device('Work laptop');
  await signIn(a.page, { email: lab.email, create: true });
  await expect(a.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  const b = await lab.device('Home desktop');
  await signIn(b.page, { email: lab.email });
  await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  return { a, b };
}

/** axe (WCAG 2.2 A and AA rules) finds nothing on the page as it is now. */
export async function expectNoViolations(page: Page, screen: string): Promise<void> {
  // Legacy mode runs axe.run in the page itself. The default runs each frame's part there, then opens a
  // blank page to put the parts together: a new renderer process for every check, about two thirds
  // of its time. Latch's screens have no frames, so nothing goes unchecked.
  const { violations } = await new AxeBuilder({ page }).setLegacyMode().withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  const found = violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(found, `${screen}: axe found violations`).toEqual([]);
}
