import argon2 from 'argon2';
import type { PasswordPolicy } from '../config/config.js';

/** argon2id hashing, with a decoy hash so an unknown email costs as much as a wrong password. */
export class PasswordHasher {
  private decoy: Promise<string> | undefined;

  constructor(private readonly policy: PasswordPolicy) {}

  private get options() {
    return { type: argon2.argon2id as 2, ...this.policy };
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, this.options);
  }

  /** Verifies against `hash`, or against the decoy when there is no account. */
  async verify(hash: string | undefined, password: string): Promise<boolean> {
    this.decoy ??= this.hash('decoy password for unknown accounts');
    const ok = await argon2.verify(hash ?? (await this.decoy), password);
    return ok && hash !== undefined;
  }

  needsRehash(hash: string): boolean {
    return argon2.needsRehash(hash, this.options);
  }
}
