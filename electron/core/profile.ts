// Profiles: each is a device of its own, with its own data folder and keychain entry.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { SessionController, type SessionControllerOptions } from './session-controller.js';

export const ProfileName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, 'A profile name is 1 to 32 letters, digits, dashes or underscores');

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:4000';

/** Latch's per-user folder (Electron's userData has the same place on each platform). */
export function defaultAppDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Latch');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Latch');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Latch');
}

export function profileDataDir(appDataDir: string, profile: string): string {
  return join(appDataDir, 'profiles', ProfileName.parse(profile));
}

export function openProfile(
  options: Omit<SessionControllerOptions, 'dataDir' | 'defaultServerUrl'> & { appDataDir: string; defaultServerUrl?: string },
): SessionController {
  const { appDataDir, ...rest } = options;
  return new SessionController({
    defaultServerUrl: DEFAULT_SERVER_URL,
    ...rest,
    dataDir: profileDataDir(appDataDir, options.profile),
  });
}
