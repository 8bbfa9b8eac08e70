import { createHmac, hash, randomBytes, randomUUID } from 'node:crypto';

const TOKEN_PATTERN = /^lt_[A-Za-z0-9_-]{43}$/;

/** `lt_` + 32 random bytes (256 bits), base64url. */
export const newToken = (): string => `lt_${randomBytes(32).toString('base64url')}`;
export const looksLikeToken = (value: string): boolean => TOKEN_PATTERN.test(value);
/** What the store keeps instead of the token: SHA-256, hex (one-shot `hash` is a third of `createHash`'s cost, per request). */
export const hashToken = (token: string): string => hash('sha256', token, 'hex');
/**
 * The token that replaces `token` at a rotation: HMAC-SHA256 keyed by the old token over a random
 * salt the store keeps and the claim the device sent (which is never stored). Only a holder of the
 * old token and the claim can compute it, and computing it again gives the same token, so a rotation
 * whose answer was lost can be asked for again by the device that asked (docs/architecture.md, "Token rotation").
 */
export const deriveToken = (token: string, nonce: string, claim: string): string => `lt_${createHmac('sha256', token).update(`${nonce}.${claim}`).digest('base64url')}`;
/** A rotation's salt: 16 random bytes, base64url. */
export const newNonce = (): string => randomBytes(16).toString('base64url');
/** Public session handle: 16 random bytes, 22 base64url characters. */
export const newSessionId = (): string => randomBytes(16).toString('base64url');
export const newId = (): string => randomUUID();

let sequence = 0;
/**
 * Ids that sort in the order they were made (time, then a per-process counter),
 * so events of the same millisecond keep their order.
 */
export const newOrderedId = (at: number): string =>
  `${at.toString(36).padStart(10, '0')}${(sequence++ % 1_679_616).toString(36).padStart(4, '0')}${randomBytes(6).toString('hex')}`;
