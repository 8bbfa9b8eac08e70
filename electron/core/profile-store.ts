// What a profile remembers between runs, in its own data folder: the server
// address, the device name and the last known account, so an offline start
// can still say who is signed in. Never the token: that is the keychain's.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProfileData } from '../../shared/session/ports.js';

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
