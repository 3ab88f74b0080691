/**
 * Creating, checking and accepting invitations in `portal_invitations`.
 * The raw token goes to the invitee only; the table holds its SHA-256 hash.
 */
import type { Knex } from 'knex';
import { clockSql, explicitNow } from './invitation-clock';
import {
  createInvitationToken, hashInvitationToken, INVITATION_TTL_MS, inviteSecretKey, isAuthenticInvitationToken, type InviteSecret,
} from './invitation-token';
import {
  InvitationStatus,
  newPortalInvitationSchema,
  portalInvitationSchema,
  type NewPortalInvitationInput,
  type PortalInvitation,
} from './portal-invitation';

const TABLE = 'portal_invitations';

export interface InvitationOptions {
  /** INVITE_SECRET, as settings hold it (a Secret) or as a string; at least 32 bytes. */
  secret: InviteSecret;
  /**
   * An explicit clock (tests, replays), used both to date a new invitation and to
   * judge expiry. Left out, the database's clock decides (see invitation-clock.ts).
   */
  now?: Date;
}

/** The options, checked before anything reaches the database. */
interface CheckedOptions {
  key: string;
  now: Date | undefined;
}

export interface CreatedInvitation {
  invitation: PortalInvitation;
  /** The raw token for the invitation link. It is not stored: send it now or lose it. */
  token: string;
}

/** Why a presented token does not admit anyone. */
export type InvitationRejection = 'invalid' | 'not_found' | 'expired' | 'revoked' | 'accepted';

export type InvitationCheck =
  | { ok: true; invitation: PortalInvitation }
  /** invalid: malformed, altered, or minted with another INVITE_SECRET. not_found: no such row (deleted). */
  | { ok: false; reason: 'invalid' | 'not_found' }
  | { ok: false; reason: 'expired' | 'revoked' | 'accepted'; invitation: PortalInvitation };

export async function createInvitation(
  db: Knex,
  input: NewPortalInvitationInput,
  options: InvitationOptions,
): Promise<CreatedInvitation> {
  const { key, now } = checkOptions(options);
  const fields = newPortalInvitationSchema.parse(input);
  // Only the token: its expiresAt is the application's clock, the row takes the database's.
  const { token, tokenHash } = createInvitationToken(key);
  // created_at and expires_at from one clock reading, so they are exactly 48 h apart.
  const createdAt = clockSql(db, now);
  const expiresAt = db.raw('? + ?::interval', [createdAt, `${INVITATION_TTL_MS} milliseconds`]);
  const [row] = await db(TABLE)
    .insert({ ...fields, token_hash: tokenHash, expires_at: expiresAt, created_at: createdAt })
    .returning('*');
  return { invitation: portalInvitationSchema.parse(row), token };
}

/**
 * Whether `token` admits its invitee now. Reads only; see acceptInvitation to use it up.
 * `token` may be anything a request carried: all but a well-formed string is 'invalid'.
 */
export async function verifyInvitation(db: Knex, token: unknown, options: InvitationOptions): Promise<InvitationCheck> {
  return checkInvitation(db, token, checkOptions(options), false);
}

/**
 * Marks the invitation accepted if `token` admits its invitee, exactly once even
 * under concurrent attempts: the row stays locked until the transaction ends. Pass
 * a transaction to create the user in it too (a rollback then leaves the invitation
 * pending); given a plain connection, it runs in a transaction of its own.
 */
export async function acceptInvitation(db: Knex, token: unknown, options: InvitationOptions): Promise<InvitationCheck> {
  const checked = checkOptions(options);
  return db.isTransaction ? acceptIn(db, token, checked) : db.transaction((trx) => acceptIn(trx, token, checked));
}

async function acceptIn(trx: Knex, token: unknown, checked: CheckedOptions): Promise<InvitationCheck> {
  const check = await checkInvitation(trx, token, checked, true);
  if (!check.ok) return check;
  const [row] = await trx(TABLE)
    .where({ id: check.invitation.id })
    .update({ status: InvitationStatus.ACCEPTED })
    .returning('*');
  return { ok: true, invitation: portalInvitationSchema.parse(row) };
}

/** Throws ConfigError for a missing or short secret or an invalid `now`, even with no options at all. */
function checkOptions(options: InvitationOptions | undefined): CheckedOptions {
  return { key: inviteSecretKey(options?.secret), now: explicitNow(options?.now) };
}

async function checkInvitation(db: Knex, token: unknown, { key, now }: CheckedOptions, lock: boolean): Promise<InvitationCheck> {
  // The MAC is checked first, in constant time: forged tokens never reach the database.
  // (isAuthenticInvitationToken refuses non-strings too; the typeof is for the compiler.)
  if (typeof token !== 'string' || !isAuthenticInvitationToken(key, token)) return { ok: false, reason: 'invalid' };
  // Expiry judged in SQL by the database's clock, the one that wrote expires_at, unless `now` is given.
  const query = db(TABLE)
    .select('*', db.raw('expires_at <= ? AS expired_by_clock', [clockSql(db, now)]))
    .where({ token_hash: hashInvitationToken(token) })
    .first();
  const row = await (lock ? query.forUpdate() : query);
  if (!row) return { ok: false, reason: 'not_found' };
  const invitation = portalInvitationSchema.parse(row);
  // A used or withdrawn invitation says so even after it would have expired.
  if (invitation.status === InvitationStatus.ACCEPTED) return { ok: false, reason: 'accepted', invitation };
  if (invitation.status === InvitationStatus.REVOKED) return { ok: false, reason: 'revoked', invitation };
  if (row.expired_by_clock) return { ok: false, reason: 'expired', invitation };
  return { ok: true, invitation };
}
