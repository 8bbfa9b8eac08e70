// What main decides, as plain functions with no `electron` import, so they are
// unit-tested in Node: which frames may call IPC, what the OS notifications
// say, where windows go, and how the command line is read.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { stripUnsafeText } from '../../shared/api.js';
import type { AccountChange, SessionView, SignInRequestView } from '../../shared/api.js';
import type { CopiedSignIn, SessionState } from '../../shared/ipc.js';
import { messages } from '../../shared/messages.js';
import { timeOf } from '../../shared/dates.js';
import { noticeText } from '../../shared/notice-text.js';
import { ProfileName } from '../core/profile.js';

export interface AppPages {
  /** The renderer's index.html on disk (production). */
  indexFile: string;
  /** The electron-vite dev server, in development only. */
  devServerUrl?: string | undefined;
}

/** True only for the app's own page: IPC from any other frame is refused. */
export function isTrustedSender(frameUrl: string | undefined, pages: AppPages): boolean {
  if (!frameUrl) return false;
  let url: URL;
  try {
    url = new URL(frameUrl);
  } catch {
    return false;
  }
  if (url.protocol === 'file:') {
    try {
      return fileURLToPath(url) === pages.indexFile;
    } catch {
      return false;
    }
  }
  if (pages.devServerUrl) {
    const dev = new URL(pages.devServerUrl);
    return url.origin === dev.origin;
  }
  return false;
}

/** Navigation is allowed only within the app's own page (hash changes). */
export const isAllowedNavigation = isTrustedSender;

export interface OsNotification {
  title: string;
  body: string;
  /** What a click on it does. */
  onClick: 'focusMain' | 'openDevices';
}

/** Device names reach the OS as plain text: no control or text-direction characters, even from rows older than the server's rule. */
const forTheOs = (notification: OsNotification): OsNotification => ({
  ...notification,
  title: stripUnsafeText(notification.title),
  body: stripUnsafeText(notification.body),
});

/** The OS notification for a change of state, if it deserves one. */
export function notificationForState(previous: SessionState, next: SessionState): OsNotification | undefined {
  if ((previous.status !== 'signedIn' && previous.status !== 'resuming') || next.status !== 'signedOut' || !next.notice) return undefined;
  return forTheOs({ title: messages.notification.forcedTitle(next.notice.reason), body: noticeText(next.notice), onClick: 'focusMain' });
}

export function notificationForNewSignIn(session: SessionView): OsNotification {
  const what = session.os || messages.platformNames[session.platform];
  const where = [messages.place(session.location, true), session.ip].filter(Boolean).join(', ');
  return forTheOs({ title: messages.notification.newSignInTitle, body: messages.notification.newSignInBody(session.deviceName, what, where), onClick: 'openDevices' });
}

/** Another device changed sign-in approval or its codes, or signed in with a code: clicking it opens the devices window. */
export function notificationForAccountChange(change: AccountChange, formatTime: (iso: string) => string = timeOf): OsNotification {
  const time = formatTime(change.at);
  const body =
    change.what === 'recovery_code_used'
      ? messages.approval.changeText.recovery_code_used(change.byDeviceName, time, change.recoveryCodesLeft)
      : messages.approval.changeText[change.what](change.byDeviceName, time);
  return forTheOs({ title: messages.approval.changeTitle[change.what], body, onClick: 'openDevices' });
}

/** A new device asks to sign in: clicking it brings the window with the prompt forward. */
export function notificationForSignInRequest(request: SignInRequestView): OsNotification {
  const where = [messages.place(request.location, true), request.ip].filter(Boolean).join(', ');
  return forTheOs({ title: messages.notification.signInRequestTitle, body: messages.notification.signInRequestBody(request.deviceName, where), onClick: 'focusMain' });
}

export function notificationForCopiedSignIn(alert: CopiedSignIn): OsNotification {
  return forTheOs({
    title: messages.notification.copiedTitle,
    body: messages.notification.copiedBody(alert.deviceName, messages.usedFrom(alert.usedFrom), alert.alsoFrom && messages.usedFrom(alert.alsoFrom)),
    onClick: 'focusMain',
  });
}

/** Switches that would let another process drive or inspect the app, refused in a packaged build. */
const DEBUG_SWITCHES = ['remote-debugging-port', 'remote-debugging-pipe', 'remote-allow-origins', 'inspect', 'inspect-brk', 'inspect-port', 'js-flags'];

/**
 * The debugging switch a packaged app was started with, if any (main then
 * quits). Fuses turn off Node's inspector; this covers Chromium's.
 */
export function refusedDebugSwitch(argv: readonly string[], isPackaged: boolean, hasSwitch: (name: string) => boolean): string | undefined {
  if (!isPackaged) return undefined;
  const fromArgv = argv.map((arg) => /^--([a-z-]+)/.exec(arg)?.[1]).find((name) => name !== undefined && DEBUG_SWITCHES.includes(name));
  return fromArgv ?? DEBUG_SWITCHES.find(hasSwitch);
}

export interface LaunchOptions {
  profile: string;
  serverUrl: string | undefined;
}

/** `--profile NAME` (default "default"); the server address from LATCH_SERVER_URL. */
export function parseLaunchOptions(argv: readonly string[], env: NodeJS.ProcessEnv): LaunchOptions {
  // Not strict: Electron's and Chromium's own switches are on the same command line.
  const { values } = parseArgs({ args: [...argv], options: { profile: { type: 'string' } }, strict: false, allowPositionals: true });
  const profile = typeof values.profile === 'string' ? values.profile : 'default';
  const parsed = ProfileName.safeParse(profile);
  if (!parsed.success) throw new Error(`Invalid --profile "${profile}": ${parsed.error.issues[0]!.message}.`);
  return { profile: parsed.data, serverUrl: env.LATCH_SERVER_URL || undefined };
}

// ---- window state ----

export const Bounds = z.object({ x: z.number().int(), y: z.number().int(), width: z.number().int().min(200), height: z.number().int().min(200) });
export type Bounds = z.infer<typeof Bounds>;
const WindowStates = z.record(z.string(), Bounds);

export const WINDOW_DEFAULTS: Record<'main' | 'devices', { width: number; height: number; minWidth: number; minHeight: number }> = {
  main: { width: 560, height: 640, minWidth: 420, minHeight: 480 },
  devices: { width: 800, height: 640, minWidth: 560, minHeight: 480 },
};

/**
 * Keeps a saved window on a screen that still exists: a window whose saved
 * place is off every display (a monitor was unplugged) opens centred instead.
 */
export function placeWindow(saved: Bounds | undefined, displays: Bounds[], fallback: { width: number; height: number }): Partial<Bounds> {
  if (!saved) return { width: fallback.width, height: fallback.height };
  const visible = displays.some(
    (d) => saved.x + 64 <= d.x + d.width && saved.x + saved.width - 64 >= d.x && saved.y >= d.y && saved.y + 32 <= d.y + d.height,
  );
  if (!visible) return { width: saved.width, height: saved.height };
  return saved;
}

/** Window sizes and places, one JSON file per profile. */
export class WindowStateFile {
  constructor(private readonly file: string) {}

  load(name: string): Bounds | undefined {
    try {
      const all = WindowStates.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      return all.success ? all.data[name] : undefined;
    } catch {
      return undefined;
    }
  }

  save(name: string, bounds: Bounds): void {
    let all: Record<string, Bounds> = {};
    try {
      const parsed = WindowStates.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      if (parsed.success) all = parsed.data;
    } catch {
      // first save
    }
    const checked = Bounds.safeParse(bounds);
    if (!checked.success) return;
    all[name] = checked.data;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify(all, null, 2));
  }
}
