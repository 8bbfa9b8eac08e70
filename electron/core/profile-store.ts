// What a profile remembers between runs, in its own data folder: the server
// address, the device name and the last known account, so an offline start
// can still say who is signed in. Never the token: that is the keychain's.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SessionView, User } from '../../shared/api.js';

export const ProfileData = z.object({
  serverUrl: z.string().optional(),
  deviceName: z.string().optional(),
  lastAccount: z.object({ user: User, session: SessionView }).optional(),
  /**
   * The first 16 hex digits of SHA-256 of a token that was replaced while the keychain could not be
   * written: if the keychain still holds it, it is not presented (the server would take it as a copy).
   */
  replacedToken: z.string().optional(),
  /**
   * The server's time of the last account change this session has heard (live or caught up): one made
   * since, while it was off or offline, is told when it is back, once.
   */
  heard: z.object({ sessionId: z.string(), until: z.string() }).optional(),
});
export type ProfileData = z.infer<typeof ProfileData>;

export class ProfileStore {
  private readonly file: string;

  constructor(readonly dataDir: string) {
    this.file = join(dataDir, 'profile.json');
  }

  read(): ProfileData {
    try {
      const parsed = ProfileData.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }

  update(change: Partial<ProfileData>): ProfileData {
    const next = { ...this.read(), ...change };
    for (const key of Object.keys(next) as Array<keyof ProfileData>) if (next[key] === undefined) delete next[key];
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    const temp = `${this.file}.tmp`;
    writeFileSync(temp, JSON.stringify(next, null, 2), { mode: 0o600 });
    renameSync(temp, this.file);
    return next;
  }
}
