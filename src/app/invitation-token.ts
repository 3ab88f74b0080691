/**
 * Invitation tokens, matching the contract of `portal_invitations.token_hash`.
 *
 * The raw token (sent to the invitee, never stored) is `<nonce>.<mac>`:
 *   nonce = 32 random bytes from the CSPRNG, base64url
 *   mac   = HMAC-SHA256(INVITE_SECRET, nonce), base64url
 * and the table stores token_hash = SHA-256 hex of the whole raw token.
 *
 * Why a MAC next to the random part: a presented token is checked against
 * INVITE_SECRET (constant-time) before any database lookup, so guessed or altered
 * tokens never reach the database, and a leaked copy of the table (hashes only)
 * yields no usable link. Rotating INVITE_SECRET invalidates every outstanding
 * invitation.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../errors';
import { explicitNow } from './invitation-clock';
import { revealed, type Secret } from './secret';

/** An HMAC-SHA256 key shorter than its block's output size is weak; refuse it. */
export const MIN_INVITE_SECRET_BYTES = 32;
export const INVITATION_TTL_MS = 48 * 60 * 60 * 1000;

const NONCE_BYTES = 32;
// base64url of 32 bytes is 43 characters, without padding.
const TOKEN_PATTERN = /^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/;

/** INVITE_SECRET as settings hold it (a Secret) or as a plain string. */
export type InviteSecret = Secret | string;

export interface InvitationToken {
  /** Goes into the invitation link; never stored. */
  token: string;
  /** SHA-256 hex of `token`: the value of portal_invitations.token_hash. */
  tokenHash: string;
  /** 48 hours after `now`. */
  expiresAt: Date;
}

export function createInvitationToken(secret: InviteSecret, now?: Date): InvitationToken {
  const key = inviteSecretKey(secret);
  const from = explicitNow(now) ?? new Date();
  const nonce = randomBytes(NONCE_BYTES).toString('base64url');
  const token = `${nonce}.${mac(key, nonce).toString('base64url')}`;
  return { token, tokenHash: hashInvitationToken(token), expiresAt: new Date(from.getTime() + INVITATION_TTL_MS) };
}

export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * True when `token` is well-formed and was minted with `secret`; compared in constant time.
 * Anything but a string is false: a web framework hands over whatever the query held,
 * an array for `?token[]=`, an object for `?token[a]=`, and a pattern test would turn
 * those into strings (`[token]` spells exactly `token`).
 */
export function isAuthenticInvitationToken(secret: InviteSecret, token: unknown): boolean {
  const key = inviteSecretKey(secret);
  if (typeof token !== 'string') return false;
  const parts = TOKEN_PATTERN.exec(token);
  if (!parts) return false;
  // Compared as text, not decoded bytes: base64url's last character carries two
  // spare bits, so decoding would let several spellings of one MAC pass.
  const presented = Buffer.from(parts[2], 'ascii');
  const expected = Buffer.from(mac(key, parts[1]).toString('base64url'), 'ascii');
  return timingSafeEqual(presented, expected);
}

/** Throws unless `secret` is usable as the HMAC key (its value is never part of the message). */
export function assertInviteSecret(secret: InviteSecret): void {
  inviteSecretKey(secret);
}

/**
 * The HMAC key: `secret` revealed, if it is a string or a Secret of at least 32 bytes.
 * Anything else (left out, a number, an object without reveal()) is the same
 * ConfigError, not the TypeError that reading it would throw.
 */
export function inviteSecretKey(secret: unknown): string {
  const key = typeof secret === 'string' || isSecretShaped(secret) ? revealed(secret) : undefined;
  if (typeof key !== 'string') {
    throw new ConfigError('INVITE_SECRET is missing: pass it to the invitation helpers as `{ secret }`.', GENERATE_ONE);
  }
  if (Buffer.byteLength(key, 'utf8') < MIN_INVITE_SECRET_BYTES) {
    throw new ConfigError(`INVITE_SECRET must be at least ${MIN_INVITE_SECRET_BYTES} bytes to create or verify invitations.`, GENERATE_ONE);
  }
  return key;
}

const GENERATE_ONE = 'Generate one with: openssl rand -base64 48';

// By shape, like revealed(): an application may load two copies of this package.
function isSecretShaped(value: unknown): value is Secret {
  return typeof value === 'object' && value !== null && typeof (value as Partial<Secret>).reveal === 'function';
}

function mac(secret: string, nonce: string): Buffer {
  return createHmac('sha256', secret).update(nonce, 'utf8').digest();
}
