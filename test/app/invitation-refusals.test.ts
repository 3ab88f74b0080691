/**
 * Bad input to the invitation helpers: each is refused with its typed error
 * (ConfigError for the caller's options, ZodError for the invitee's fields) or
 * the reason 'invalid', never a crash, and leaves the table as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import {
  acceptInvitation,
  ConfigError,
  createInvitation,
  createInvitationToken,
  isAuthenticInvitationToken,
  parseAppSettings,
  verifyInvitation,
  type InvitationOptions,
  type NewPortalInvitationInput,
} from '../../src/index';
import { Secret } from '../../src/app/secret';
import { createInvitationDatabase, HOUR, invitationRows, TEST_INVITE_SECRET as secret } from '../support/invitation-fixture';
import type { TestDatabase } from '../support/test-database';
import { VALID_SETTINGS } from '../support/app-settings-values';

let db: TestDatabase;
let invitee: NewPortalInvitationInput;
let counter = 0;

beforeAll(async () => {
  ({ db, invitee } = await createInvitationDatabase('invitation_refusals'));
});
afterAll(async () => {
  await db?.drop();
});

const invite = (now?: Date) => createInvitation(db.knex, { ...invitee, email: `refused${++counter}@example.com` }, { secret, now });
const asOptions = (options: unknown) => options as InvitationOptions;

/** Runs `attempt`, expecting it to throw `type`; returns the error, and checks no invitation row changed. */
async function refusedWithoutChange<E extends Error>(type: new (...args: never[]) => E, attempt: () => unknown): Promise<E> {
  const before = await invitationRows(db.knex);
  let error: unknown;
  try {
    await attempt();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(type);
  expect(await invitationRows(db.knex)).toEqual(before);
  return error as E;
}

describe('an invalid `now`', () => {
  const invalidNows: Array<[string, unknown]> = [
    ['an Invalid Date', new Date('x')],
    ['a string', '2026-03-24T12:00:00Z'],
    ['a number', 0],
  ];

  it.each(invalidNows)('as %s, createInvitation refuses it with ConfigError and inserts nothing', async (_, now) => {
    const error = await refusedWithoutChange(ConfigError, () => createInvitation(db.knex, invitee, asOptions({ secret, now })));
    expect(error.message).toBe('The invitation option `now` is not a valid Date.');
  });

  it.each(invalidNows)('as %s, verify and accept refuse it with ConfigError, even for an expired invitation', async (_, now) => {
    // Expired by every real clock: a skipped expiry check would admit it, and accept would use it up.
    const { token } = await invite(new Date(Date.now() - 49 * HOUR));
    await refusedWithoutChange(ConfigError, () => verifyInvitation(db.knex, token, asOptions({ secret, now })));
    await refusedWithoutChange(ConfigError, () => acceptInvitation(db.knex, token, asOptions({ secret, now })));
  });

  it.each(invalidNows)('as %s, createInvitationToken refuses it instead of an invalid expiresAt', (_, now) => {
    expect(() => createInvitationToken(secret, now as Date)).toThrow(ConfigError);
  });
});

describe('a token that is not a string', () => {
  it('is invalid to verify and accept, and not authentic, even when its string form is a real token', async () => {
    const { invitation, token } = await invite();
    // What web frameworks make of ?token[]=…, ?token[a]=…, or what a caller may pass by mistake.
    const notStrings: unknown[] = [[token], { toString: () => token }, new String(token), Buffer.from(token), 42, null, undefined, {}, [token, token]];
    for (const bad of notStrings) {
      expect(isAuthenticInvitationToken(secret, bad), String(bad)).toBe(false);
      expect(await verifyInvitation(db.knex, bad, { secret }), String(bad)).toEqual({ ok: false, reason: 'invalid' });
      expect(await acceptInvitation(db.knex, bad, { secret }), String(bad)).toEqual({ ok: false, reason: 'invalid' });
    }
    expect((await db.knex('portal_invitations').where({ id: invitation.id }).first()).status).toBe('pending');
  });
});

describe('a string token spelled other than exactly as issued', () => {
  it('is invalid: surrounded by whitespace or line breaks, repeated, far too long, or with a NUL', async () => {
    const { invitation, token } = await invite();
    const spellings = [` ${token}`, `${token} `, `${token}\n`, `${token}\r\n`, `\t${token}`, `${token}\u0000`, `${token}${token}`, `${token}.${'A'.repeat(100_000)}`, 'A'.repeat(1_000_000)];
    for (const bad of spellings) {
      expect(isAuthenticInvitationToken(secret, bad), JSON.stringify(bad.slice(0, 100))).toBe(false);
      expect(await verifyInvitation(db.knex, bad, { secret })).toEqual({ ok: false, reason: 'invalid' });
      expect(await acceptInvitation(db.knex, bad, { secret })).toEqual({ ok: false, reason: 'invalid' });
    }
    expect((await verifyInvitation(db.knex, token, { secret })).ok).toBe(true);
    expect((await db.knex('portal_invitations').where({ id: invitation.id }).first()).status).toBe('pending');
  });
});

describe('control characters in the name or email of a new invitation', () => {
  const badFields: Array<[string, Partial<NewPortalInvitationInput>]> = [
    ['a NUL in the name (PostgreSQL would fail with 22021)', { name: 'Ada\u0000Lovelace' }],
    ['CR/LF in the name (a mail header injection)', { name: 'Ada\r\nBcc: everyone@example.com' }],
    ['a lone LF in the name', { name: 'Ada\nLovelace' }],
    ['a TAB in the name', { name: 'Ada\tLovelace' }],
    ['DEL in the name', { name: 'Ada\u007fLovelace' }],
    ['a C1 control (NEL) in the name', { name: 'Ada\u0085Lovelace' }],
    ['a line separator U+2028 in the name', { name: 'Ada\u2028Lovelace' }],
    ['a paragraph separator U+2029 in the name', { name: 'Ada\u2029Lovelace' }],
    ['a NUL in the email', { email: 'ada\u0000@example.com' }],
    ['CR/LF in the email', { email: 'ada@example.com\r\nBcc: everyone@example.com' }],
  ];

  it.each(badFields)('%s: ZodError naming the field, before the database', async (_, bad) => {
    const error = await refusedWithoutChange(ZodError, () => createInvitation(db.knex, { ...invitee, ...bad }, { secret }));
    const [field] = Object.keys(bad);
    expect(error.issues).toEqual([expect.objectContaining({ path: [field], message: expect.stringMatching(/^must be one line without control characters \(found U\+[0-9A-F]{4}\)$/) })]);
  });

  it('trims whitespace and line breaks around the name and email, and lower-cases the email', async () => {
    const { invitation } = await createInvitation(db.knex, { ...invitee, name: '  Ada Lovelace\r\n', email: '\t Ada.Lovelace@Example.COM \n' }, { secret });
    expect(invitation).toMatchObject({ name: 'Ada Lovelace', email: 'ada.lovelace@example.com' });
    expect(await db.knex('portal_invitations').where({ id: invitation.id }).first()).toMatchObject({ name: 'Ada Lovelace', email: 'ada.lovelace@example.com' });
  });

  it('keeps the invisible characters real names need (zero-width joiner, right-to-left mark)', async () => {
    const names = ['\u0915\u094d\u200d\u0937', '\u0639\u0644\u064a\u200f'];
    for (const name of names) {
      const { invitation } = await createInvitation(db.knex, { ...invitee, name, email: `script${++counter}@example.com` }, { secret });
      expect(invitation.name).toBe(name);
    }
  });
});

describe('the secret', () => {
  it('may be the Secret that settings hold, for every helper', async () => {
    // The very object a service gets from its settings, not a hand-made Secret.
    const wrapped = parseAppSettings({ ...VALID_SETTINGS, INVITE_SECRET: secret }).INVITE_SECRET;
    expect(wrapped).toBeInstanceOf(Secret);
    const { invitation, token } = await createInvitation(db.knex, { ...invitee, email: `wrapped${++counter}@example.com` }, { secret: wrapped });
    expect(isAuthenticInvitationToken(wrapped, token)).toBe(true);
    expect(isAuthenticInvitationToken(wrapped, createInvitationToken(secret).token)).toBe(true);
    expect(isAuthenticInvitationToken(secret, createInvitationToken(wrapped).token)).toBe(true);
    expect(await verifyInvitation(db.knex, token, { secret: wrapped })).toEqual({ ok: true, invitation });
    expect(await acceptInvitation(db.knex, token, { secret: wrapped })).toMatchObject({ ok: true, invitation: { status: 'accepted' } });
  });

  it('as a short Secret is refused like a short string, without its value', async () => {
    const short = 'short-secret-value';
    const error = await refusedWithoutChange(ConfigError, () => createInvitation(db.knex, invitee, { secret: new Secret(short) }));
    expect(error.message).toBe('INVITE_SECRET must be at least 32 bytes to create or verify invitations.');
    expect(`${error.message}${error.hint}`).not.toContain(short);
  });

  const missing: Array<[string, unknown]> = [
    ['no options at all', undefined],
    ['options without a secret', {}],
    ['a null secret', { secret: null }],
    ['a number', { secret: 12345678901234567890123456789012345 }],
    ['an object without reveal()', { secret: { value: secret } }],
    ['a Secret-shaped object whose reveal() gives no string', { secret: { reveal: () => undefined } }],
  ];

  it.each(missing)('missing (%s) is ConfigError, not TypeError, from every helper, changing nothing', async (_, options) => {
    const { token } = await invite();
    for (const attempt of [
      () => createInvitation(db.knex, invitee, asOptions(options)),
      () => verifyInvitation(db.knex, token, asOptions(options)),
      () => acceptInvitation(db.knex, token, asOptions(options)),
      () => createInvitationToken(asOptions(options)?.secret),
      () => isAuthenticInvitationToken(asOptions(options)?.secret, token),
    ]) {
      const error = await refusedWithoutChange(ConfigError, attempt);
      expect(error.message).toBe('INVITE_SECRET is missing: pass it to the invitation helpers as `{ secret }`.');
    }
  });
});
