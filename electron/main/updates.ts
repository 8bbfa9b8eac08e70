// Whether and how the packaged app updates itself (electron-updater, a generic feed). The decisions are
// here, without Electron, so they are unit-tested; electron/main/index.ts only carries them out.
import { isLoopbackHost } from '../../shared/session/server-url.js';

export type UpdatePlan =
  | { enabled: false; reason: string }
  | { enabled: true; feedUrl: string; allowPrerelease: boolean; firstCheckAfterMs: number; checkEveryMs: number };

export interface UpdateInputs {
  isPackaged: boolean;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** The feed URL built into the app (`latch.updateUrl` in its package.json, set with electron-builder's extraMetadata). */
  builtInUrl: string | undefined;
  appVersion: string;
}

const HOUR = 3_600_000;

/**
 * Off unless a feed URL is configured, and only for builds that can replace themselves: a packaged app,
 * and on Linux only the AppImage (a .deb is updated by the package manager). LATCH_UPDATE_URL overrides
 * the built-in URL; LATCH_UPDATES=off turns updates off. The feed must be https (http only on this
 * computer, for trying a feed out). Pre-releases are offered only to a pre-release.
 */
export function planUpdates(input: UpdateInputs): UpdatePlan {
  if (!input.isPackaged) return { enabled: false, reason: 'not a packaged build' };
  if (input.env.LATCH_UPDATES?.trim() === 'off') return { enabled: false, reason: 'turned off with LATCH_UPDATES=off' };
  const raw = input.env.LATCH_UPDATE_URL?.trim() || input.builtInUrl?.trim();
  if (!raw) return { enabled: false, reason: 'no update feed is configured' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { enabled: false, reason: `the update feed "${raw}" is not a URL` };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return { enabled: false, reason: 'the update feed must be https (plain http only on this computer)' };
  }
  if (url.username || url.password) return { enabled: false, reason: 'the update feed must not carry a user name or password' };
  if (input.platform === 'linux' && !input.env.APPIMAGE) return { enabled: false, reason: 'installed from a package: the package manager updates it' };
  if (!['linux', 'darwin', 'win32'].includes(input.platform)) return { enabled: false, reason: `no updates on ${input.platform}` };
  return {
    enabled: true,
    feedUrl: url.href,
    allowPrerelease: /-/.test(input.appVersion),
    firstCheckAfterMs: 30_000,
    checkEveryMs: 6 * HOUR,
  };
}
