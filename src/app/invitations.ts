/**
 * Creating, checking and accepting invitations in `portal_invitations`.
 * The raw token goes to the invitee only; the table holds its SHA-256 hash.
 */
import type { Knex } from 'knex';
import { createInvitationToken, hashInvitationToken, isAuthenticInvitationToken } from './invitation-token';
import {
  InvitationStatus,
  newPortalInvitationSchema,
  portalInvitationSchema,
  type NewPortalInvitationInput,
  type PortalInvitation,
} from './portal-invitation';

const TABLE = 'portal_invitations';

export interface InvitationOptions {
  /** INVITE_SECRET; at least 32 bytes. */
  secret: string;
  /** The clock; defaults to the current time. */
  now?: Date;
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
  const fields = newPortalInvitationSchema.parse(input);
  const now = options.now ?? new Date();
  const { token, tokenHash, expiresAt } = createInvitationToken(options.secret, now);
  // created_at from the same clock as expires_at, so the two are exactly 48 h apart.
  const [row] = await db(TABLE)
    .insert({ ...fields, token_hash: tokenHash, expires_at: expiresAt, created_at: now })
    .returning('*');
  return { invitation: portalInvitationSchema.parse(row), token };
}

/** Whether `token` admits its invitee now. Reads only; see acceptInvitation to use it up. */
export function verifyInvitation(db: Knex, token: string, options: InvitationOptions): Promise<InvitationCheck> {
  return checkInvitation(db, token, options, false);
}

/**
 * Marks the invitation accepted if `token` admits its invitee, exactly once even
 * under concurrent attempts: the row stays locked until the transaction ends. Pass
 * a transaction to create the user in it too (a rollback then leaves the invitation
 * pending); given a plain connection, it runs in a transaction of its own.
 */
export async function acceptInvitation(db: Knex, token: string, options: InvitationOptions): Promise<InvitationCheck> {
  if (!db.isTransaction) return db.transaction((trx) => acceptInvitation(trx, token, options));
  const check = await checkInvitation(db, token, options, true);
  if (!check.ok) return check;
  const [row] = await db(TABLE)
    .where({ id: check.invitation.id })
    .update({ status: InvitationStatus.ACCEPTED })
    .returning('*');
  return { ok: true, invitation: portalInvitationSchema.parse(row) };
}

async function checkInvitation(db: Knex, token: string, options: InvitationOptions, lock: boolean): Promise<InvitationCheck> {
  // The MAC is checked first, in constant time: forged tokens never reach the database.
  if (!isAuthenticInvitationToken(options.secret, token)) return { ok: false, reason: 'invalid' };
  const query = db(TABLE).where({ token_hash: hashInvitationToken(token) }).first();
  const row = await (lock ? query.forUpdate() : query);
  if (!row) return { ok: false, reason: 'not_found' };
  const invitation = portalInvitationSchema.parse(row);
  // A used or withdrawn invitation says so even after it would have expired.
  if (invitation.status === InvitationStatus.ACCEPTED) return { ok: false, reason: 'accepted', invitation };
  if (invitation.status === InvitationStatus.REVOKED) return { ok: false, reason: 'revoked', invitation };
  if (invitation.expires_at.getTime() <= (options.now ?? new Date()).getTime()) {
    return { ok: false, reason: 'expired', invitation };
  }
  return { ok: true, invitation };
}
