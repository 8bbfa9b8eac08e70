// Authenticator-app secrets encrypted at rest (docs/operations.md, "The secret key"): AES-256-GCM under the
// server's key, bound to the account they belong to, so a copied database alone gives no one's codes and
// a secret moved to another account's row does not open. Each value names its key by a short id: with
// LATCH_SECRET_KEY_PREVIOUS set, values under the old key still open, and `reseal` moves them to the new one.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ServerConfig } from '../config/config.js';

const VERSION = 'v1';

interface Key {
  id: string;
  bytes: Buffer;
}

/** 64 hex digits or base64 of 32 bytes, as config.ts accepts them. */
function decodeKey(text: string, where: string): Key {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (bytes.length !== 32) throw new Error(`${where} is not a key of 32 bytes (64 hex digits or base64): make one with openssl rand -base64 32`);
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 8), bytes };
}

/** The key file in the data folder, made on first use (readable by this user only); a file made meanwhile by another instance is read. */
function keyFromFile(file: string): Key {
  try {
    return decodeKey(readFileSync(file, 'utf8'), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // Written whole under a name of its own, then linked into place: an instance starting at the same moment
  // finds no file or a whole one, never half a key, and the first link wins.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const fd = openSync(draft, 'wx', 0o600);
  try {
    writeSync(fd, `${randomBytes(32).toString('base64')}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(draft, { force: true });
  }
  return decodeKey(readFileSync(file, 'utf8'), file);
}

export class SecretKeyMissing extends Error {
  constructor(
    message: string,
    /** The id of the key the value is sealed under. */
    readonly keyId: string,
  ) {
    super(message);
  }
}

export class SecretBox {
  private readonly current: Key;
  private readonly previous: Key | undefined;

  constructor(config: ServerConfig['secretKey']) {
    this.current = config.key ? decodeKey(config.key, 'LATCH_SECRET_KEY') : keyFromFile(config.file);
    this.previous = config.previous ? decodeKey(config.previous, 'LATCH_SECRET_KEY_PREVIOUS') : undefined;
  }

  /** The current key's id: values that do not start with `sealPrefix` are under an older key. */
  get sealPrefix(): string {
    return `${VERSION}.${this.current.id}.`;
  }

  seal(plain: string, owner: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.bytes, iv);
    cipher.setAAD(Buffer.from(owner));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, this.current.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  /** The plain text; throws SecretKeyMissing when the value is under a key this server does not have. */
  open(sealed: string, owner: string): string {
    const [version, id, iv, tag, body] = sealed.split('.');
    const key = [this.current, this.previous].find((k) => k?.id === id);
    if (version !== VERSION || !key || iv === undefined || tag === undefined || body === undefined) {
      throw new SecretKeyMissing(
        `an authenticator secret is sealed with key ${id ?? '?'}, which this server does not have: every instance needs the same LATCH_SECRET_KEY (and, while rotating, LATCH_SECRET_KEY_PREVIOUS)`,
        id ?? '?',
      );
    }
    const authTag = Buffer.from(tag, 'base64url');
    // The whole tag or nothing: GCM would check a shortened one, and a forged value would need fewer guesses.
    if (authTag.length !== 16) throw new Error('a sealed authenticator secret has a tag of the wrong length');
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(owner));
    decipher.setAuthTag(authTag);
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** A value under the previous key sealed again under the current one; undefined when it already is. */
  reseal(sealed: string, owner: string): string | undefined {
    return sealed.startsWith(this.sealPrefix) ? undefined : this.seal(this.open(sealed, owner), owner);
  }
}
