/**
 * Invitation tokens against a migrated database: what is stored, what verifies,
 * and every way a token is refused.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptInvitation,
  createInvitation,
  createInvitationToken,
  INVITATION_TTL_MS,
  InvitationStatus,
  isAuthenticInvitationToken,
  verifyInvitation,
  type NewPortalInvitationInput,
} from '../../src/index';
import { ConfigError } from '../../src/errors';
import { createInvitationDatabase, HOUR, TEST_INVITE_SECRET as secret } from '../support/invitation-fixture';
import type { TestDatabase } from '../support/test-database';
import { waitUntil } from '../support/wait-until';

let db: TestDatabase;
let invitee: NewPortalInvitationInput;
let counter = 0;

beforeAll(async () => {
  ({ db, invitee } = await createInvitationDatabase('invitations'));
});
afterAll(async () => {
  await db?.drop();
});

const invite = (now?: Date) => createInvitation(db.knex, { ...invitee, email: `new${++counter}@example.com` }, { secret, now });
const statusOf = async (id: string) => (await db.knex('portal_invitations').where({ id }).first()).status;

/** Polls (bounded, see wait-until.ts) until a session of the test database is blocked on a lock. */
function waitUntilSomeoneWaitsForALock(): Promise<void> {
  return waitUntil(async () => {
    const { rows } = await db.knex.raw(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = ? AND wait_event_type = 'Lock'`, [db.name]);
    return rows[0].n > 0;
  }, 'a session of the test database to wait for a lock');
}

/** The same token with one character of `part` changed (still well-formed base64url). */
function tamper(token: string, part: 'nonce' | 'mac'): string {
  const i = part === 'nonce' ? 5 : token.length - 5;
  return token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
}

describe('createInvitationToken', () => {
  it('makes a URL-safe random token, stores only its SHA-256 hex, and expires 48 hours later', () => {
    const now = new Date('2026-03-24T12:00:00Z');
    const a = createInvitationToken(secret, now);
    const b = createInvitationToken(secret, now);
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    expect(encodeURIComponent(a.token)).toBe(a.token);
    expect(a.token).not.toBe(b.token);
    expect(a.tokenHash).toBe(createHash('sha256').update(a.token).digest('hex'));
    expect(a.expiresAt.toISOString()).toBe('2026-03-26T12:00:00.000Z');
    expect(INVITATION_TTL_MS).toBe(48 * HOUR);
  });

  it.each([['empty', ''], ['18 bytes', 'short-secret-value'], ['31 bytes', 'y'.repeat(31)]])(
    'refuses an INVITE_SECRET that is %s, without printing it',
    (_, short) => {
      let error: unknown;
      try {
        createInvitationToken(short);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const { message, hint } = error as ConfigError;
      expect(message).toBe('INVITE_SECRET must be at least 32 bytes to create or verify invitations.');
      if (short) expect(`${message}${hint}`).not.toContain(short);
    },
  );

  it('accepts a secret of exactly 32 bytes', () => {
    const { token, tokenHash } = createInvitationToken('z'.repeat(32));
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/); // nonce.HMAC, 32 bytes each in base64url
    expect(isAuthenticInvitationToken('z'.repeat(32), token)).toBe(true);
    expect(tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
  });
});

describe('createInvitation', () => {
  it('inserts a pending invitation holding the token hash, never the raw token', async () => {
    const now = new Date();
    const { invitation, token } = await invite(now);
    expect(invitation).toMatchObject({ status: 'pending', role: 'customer_operator', invited_by: invitee.invited_by });
    expect(invitation.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(invitation.expires_at.getTime() - invitation.created_at.getTime()).toBe(INVITATION_TTL_MS);
    const { rows } = await db.knex.raw(`SELECT row_to_json(i)::text AS row FROM portal_invitations i WHERE id = ?`, [invitation.id]);
    expect(rows[0].row).not.toContain(token);
    expect(rows[0].row).not.toContain(token.split('.')[0]);
  });

  it('with a short secret, inserts nothing', async () => {
    const before = await db.knex('portal_invitations').count<{ count: string }[]>('* as count');
    await expect(createInvitation(db.knex, invitee, { secret: 'x'.repeat(31) })).rejects.toThrow(ConfigError);
    expect(await db.knex('portal_invitations').count<{ count: string }[]>('* as count')).toEqual(before);
  });

  it('refuses a platform_admin invitation or an invalid address before touching the database', async () => {
    await expect(createInvitation(db.knex, { ...invitee, role: 'platform_admin' as never }, { secret })).rejects.toThrow(/role/);
    await expect(createInvitation(db.knex, { ...invitee, email: 'nope' }, { secret })).rejects.toThrow(/email/);
  });
});

describe('verifyInvitation', () => {
  it('admits the raw token of a pending, unexpired invitation, and changes nothing', async () => {
    const { invitation, token } = await invite();
    const check = await verifyInvitation(db.knex, token, { secret });
    expect(check).toEqual({ ok: true, invitation });
    expect(await statusOf(invitation.id)).toBe('pending');
  });

  it('refuses a tampered token (nonce or MAC), a truncated one and garbage as invalid', async () => {
    const { token } = await invite();
    for (const bad of [tamper(token, 'nonce'), tamper(token, 'mac'), token.slice(0, -1), `${token}A`, '', 'not-a-token', token.replace('.', '')]) {
      expect(await verifyInvitation(db.knex, bad, { secret }), bad).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('refuses a token minted with another INVITE_SECRET as invalid', async () => {
    const { token } = await invite();
    expect(await verifyInvitation(db.knex, token, { secret: `${secret}-rotated` })).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses an authentic token whose invitation no longer exists as not_found', async () => {
    const { invitation, token } = await invite();
    await db.knex('portal_invitations').where({ id: invitation.id }).delete();
    expect(await verifyInvitation(db.knex, token, { secret })).toEqual({ ok: false, reason: 'not_found' });
  });

  it('refuses an invitation from more than 48 hours ago as expired, and admits it until then', async () => {
    const { invitation, token } = await invite(new Date(Date.now() - 49 * HOUR));
    expect(await verifyInvitation(db.knex, token, { secret })).toEqual({ ok: false, reason: 'expired', invitation });
    const created = invitation.created_at.getTime();
    expect((await verifyInvitation(db.knex, token, { secret, now: new Date(created + 48 * HOUR - 1) })).ok).toBe(true);
    expect((await verifyInvitation(db.knex, token, { secret, now: new Date(created + 48 * HOUR) })).ok).toBe(false);
  });

  it('refuses a revoked invitation as revoked and an accepted one as accepted, even once expired', async () => {
    for (const status of [InvitationStatus.REVOKED, InvitationStatus.ACCEPTED]) {
      const { invitation, token } = await invite();
      await db.knex('portal_invitations').where({ id: invitation.id }).update({ status });
      expect(await verifyInvitation(db.knex, token, { secret })).toMatchObject({ ok: false, reason: status });
      const later = new Date(Date.now() + 72 * HOUR);
      expect(await verifyInvitation(db.knex, token, { secret, now: later })).toMatchObject({ ok: false, reason: status });
    }
  });

  it('refuses to run with a short secret', async () => {
    const { token } = await invite();
    await expect(verifyInvitation(db.knex, token, { secret: 'short' })).rejects.toThrow(ConfigError);
  });
});

describe('acceptInvitation', () => {
  it('marks the invitation accepted; the same token is then refused as accepted', async () => {
    const { invitation, token } = await invite();
    const first = await acceptInvitation(db.knex, token, { secret });
    expect(first).toEqual({ ok: true, invitation: { ...invitation, status: 'accepted' } });
    expect(await statusOf(invitation.id)).toBe('accepted');
    expect(await acceptInvitation(db.knex, token, { secret })).toMatchObject({ ok: false, reason: 'accepted' });
  });

  it('admits exactly one of two concurrent attempts: the second waits for the first, then is refused', async () => {
    const { token } = await invite();
    let second: Promise<unknown> | undefined;
    await db.knex.transaction(async (first) => {
      expect((await acceptInvitation(first, token, { secret })).ok).toBe(true);
      // Another connection tries the same token before the first commits.
      second = acceptInvitation(db.knex, token, { secret });
      await waitUntilSomeoneWaitsForALock();
    });
    expect(await second).toMatchObject({ ok: false, reason: 'accepted' });
  });

  it("inside the caller's transaction: a rollback leaves the invitation pending", async () => {
    const { invitation, token } = await invite();
    await expect(
      db.knex.transaction(async (trx) => {
        expect((await acceptInvitation(trx, token, { secret })).ok).toBe(true);
        throw new Error('creating the user failed');
      }),
    ).rejects.toThrow('creating the user failed');
    expect(await statusOf(invitation.id)).toBe('pending');
    expect((await verifyInvitation(db.knex, token, { secret })).ok).toBe(true);
  });

  it('refuses expired, revoked and invalid tokens without changing any row', async () => {
    const expired = await invite(new Date(Date.now() - 49 * HOUR));
    const revoked = await invite();
    await db.knex('portal_invitations').where({ id: revoked.invitation.id }).update({ status: 'revoked' });
    expect(await acceptInvitation(db.knex, expired.token, { secret })).toMatchObject({ ok: false, reason: 'expired' });
    expect(await acceptInvitation(db.knex, revoked.token, { secret })).toMatchObject({ ok: false, reason: 'revoked' });
    expect(await acceptInvitation(db.knex, tamper(expired.token, 'mac'), { secret })).toEqual({ ok: false, reason: 'invalid' });
    expect(await statusOf(expired.invitation.id)).toBe('pending');
    expect(await statusOf(revoked.invitation.id)).toBe('revoked');
  });
});
