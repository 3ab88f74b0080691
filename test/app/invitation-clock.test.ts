/**
 * Whose clock dates an invitation and judges its expiry: the database's, unless
 * the caller passes `now`. The application's clock is set far off here (only
 * Date is faked; the database's clock is real), as on a service instance whose
 * clock drifted: nothing may follow it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { acceptInvitation, createInvitation, INVITATION_TTL_MS, verifyInvitation, type NewPortalInvitationInput } from '../../src/index';
import { createInvitationDatabase, HOUR, TEST_INVITE_SECRET as secret } from '../support/invitation-fixture';
import type { TestDatabase } from '../support/test-database';

let db: TestDatabase;
let invitee: NewPortalInvitationInput;
let counter = 0;

beforeAll(async () => {
  ({ db, invitee } = await createInvitationDatabase('invitation_clock'));
});
afterAll(async () => {
  await db?.drop();
});
afterEach(() => {
  vi.useRealTimers();
});

const invite = (now?: Date) => createInvitation(db.knex, { ...invitee, email: `clock${++counter}@example.com` }, { secret, now });
const statusOf = async (id: string) => (await db.knex('portal_invitations').where({ id }).first()).status;

async function databaseNow(): Promise<Date> {
  const { rows } = await db.knex.raw('SELECT statement_timestamp() AS now');
  return rows[0].now;
}

/** From here on, the application believes it is `at`; the database keeps its own time. */
function skewApplicationClock(at: Date): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at);
}

describe('without `now`, the database decides', () => {
  it("dates a new invitation by the database's clock, expires_at exactly 48 hours after created_at", async () => {
    skewApplicationClock(new Date('2001-01-01T00:00:00Z'));
    const before = await databaseNow();
    const { invitation } = await invite();
    const after = await databaseNow();
    expect(invitation.created_at.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(invitation.created_at.getTime()).toBeLessThanOrEqual(after.getTime());
    // Compared in the database too, at its microsecond precision: no rounding through JavaScript.
    const { rows } = await db.knex.raw(
      `SELECT expires_at - created_at = interval '48 hours' AS exact, created_at BETWEEN ?::timestamptz AND statement_timestamp() AS dated_by_server
       FROM portal_invitations WHERE id = ?`,
      [before, invitation.id],
    );
    expect(rows[0]).toEqual({ exact: true, dated_by_server: true });
  });

  it("admits an invitation the database's clock says is valid, though the application's clock is past its expiry", async () => {
    const { invitation, token } = await invite(new Date((await databaseNow()).getTime() - 47 * HOUR));
    skewApplicationClock(new Date(invitation.expires_at.getTime() + 24 * HOUR));
    expect(await verifyInvitation(db.knex, token, { secret })).toEqual({ ok: true, invitation });
    expect(await acceptInvitation(db.knex, token, { secret })).toMatchObject({ ok: true });
    expect(await statusOf(invitation.id)).toBe('accepted');
  });

  it("refuses an invitation the database's clock says has expired, though the application's clock is before it", async () => {
    const { invitation, token } = await invite(new Date((await databaseNow()).getTime() - 49 * HOUR));
    skewApplicationClock(new Date('2001-01-01T00:00:00Z'));
    expect(await verifyInvitation(db.knex, token, { secret })).toEqual({ ok: false, reason: 'expired', invitation });
    expect(await acceptInvitation(db.knex, token, { secret })).toEqual({ ok: false, reason: 'expired', invitation });
    expect(await statusOf(invitation.id)).toBe('pending');
  });
});

describe('an explicit `now` (tests, replays)', () => {
  it('dates the invitation and judges its expiry, both, whatever the other clocks say', async () => {
    const now = new Date('2099-06-01T12:00:00.123Z');
    skewApplicationClock(new Date('2001-01-01T00:00:00Z'));
    const { invitation, token } = await invite(now);
    expect(invitation.created_at).toEqual(now);
    expect(invitation.expires_at).toEqual(new Date(now.getTime() + INVITATION_TTL_MS));
    // Valid by the database's clock (2099 is ahead of it), and until the last millisecond by `now`.
    expect((await verifyInvitation(db.knex, token, { secret })).ok).toBe(true);
    expect((await verifyInvitation(db.knex, token, { secret, now: new Date(now.getTime() + INVITATION_TTL_MS - 1) })).ok).toBe(true);
    expect(await acceptInvitation(db.knex, token, { secret, now: invitation.expires_at })).toMatchObject({ ok: false, reason: 'expired' });
    expect(await statusOf(invitation.id)).toBe('pending');
  });
});
