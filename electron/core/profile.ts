// Profiles: each is a device of its own, with its own data folder and keychain entry.
import { join } from 'node:path';
import { z } from 'zod';
import { SessionController, type SessionControllerOptions } from './session-controller.js';

export const ProfileName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, 'A profile name is 1 to 32 letters, digits, dashes or underscores');

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:4000';

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
