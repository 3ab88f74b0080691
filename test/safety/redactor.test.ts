/**
 * The redactor takes the password from pg's own parser (pg-connection-string),
 * hides it however the text spells it, never throws, and hides a short password
 * only as a URL's password field, so that it neither garbles messages nor tells
 * an observer whether a guess is right.
 */
import { parse } from 'pg-connection-string';
import { describe, expect, it } from 'vitest';
import { NOT_A_POSTGRES_URL } from '../../src/config/database-url';
import { passwordSpellingsOf } from '../../src/db/password-spellings';
import { ownWords, redactor } from '../../src/db/redact';

/** The redactor the CLI builds for a URL: every spelling of its password. */
const redactorFor = (url: string) => redactor(passwordSpellingsOf(url));

describe('a password with a literal %', () => {
  const url = 'postgres://app:50%offSECRET@db.internal/konstruct';

  it('is the password pg connects with, and is found although decodeURIComponent throws on it', () => {
    expect(() => decodeURIComponent('50%offSECRET')).toThrow(URIError);
    expect(parse(url).password).toBe('50%offSECRET');
    expect(passwordSpellingsOf(url)).toContain('50%offSECRET');
  });

  it('is hidden in a message, as written and percent-encoded', () => {
    const redact = redactorFor(url);
    expect(redact(`cannot use ${url}`)).toBe('cannot use postgres://app:***@db.internal/konstruct');
    expect(redact(`password ${encodeURIComponent('50%offSECRET')} refused`)).toBe('password *** refused');
  });
});

describe('a password in both user:password@ and ?password=', () => {
  const url = 'postgres://app:userinfoSECRET@db.internal/konstruct?password=querySECRET';

  it('pg uses the query value, and both are hidden', () => {
    expect(parse(url).password).toBe('querySECRET');
    const redact = redactorFor(url);
    expect(redact(`cannot use ${url}; tried querySECRET, not userinfoSECRET`)).toBe(
      'cannot use postgres://app:***@db.internal/konstruct?password=***; tried ***, not ***',
    );
  });

  it('a ?password= value is hidden in its +-for-space and percent-encoded spellings', () => {
    const redact = redactorFor('postgres://app@db/k?password=two+words%26more');
    expect(parse('postgres://app@db/k?password=two+words%26more').password).toBe('two words&more');
    expect(redact('sent "two words&more" from ?password=two+words%26more')).toBe('sent "***" from ?password=***');
    expect(redact(`encoded: ${encodeURIComponent('two words&more')}`)).toBe('encoded: ***');
  });
});

describe('spellings as written in the URL', () => {
  it('hides an escape written in lower case (%2f) and its decoded form', () => {
    const url = 'postgres://app:ab%2fcdSECRET@db/konstruct';
    expect(parse(url).password).toBe('ab/cdSECRET');
    const redact = redactorFor(url);
    const out = redact(`as written ${url}; decoded ab/cdSECRET; re-encoded ${encodeURIComponent('ab/cdSECRET')}`);
    expect(out).toBe('as written postgres://app:***@db/konstruct; decoded ***; re-encoded ***');
  });

  it('hides a needless escape (%53 for S) as written and decoded', () => {
    const url = 'postgres://app:p%53wordX@db/konstruct';
    expect(parse(url).password).toBe('pSwordX');
    const redact = redactorFor(url);
    expect(redact(`tried ${url} and pSwordX and p%53wordX`)).toBe('tried postgres://app:***@db/konstruct and *** and ***');
  });

  it('hides a password field spelled in a way not seen before when it decodes to the password', () => {
    const redact = redactor(['pSwordX']);
    expect(redact('postgres://app:%70%53word%58@db/konstruct')).toBe('postgres://app:***@db/konstruct');
  });
});

describe('every spelling that appears in the text, listed or not', () => {
  const redact = redactor(['pSword/X+ä 😀']);

  it('each character as itself, percent-encoded in either case, or JSON-escaped, mixed freely', () => {
    for (const spelling of [
      'pSword/X+ä 😀',
      'p%53word%2FX%2B%C3%A4%20%F0%9F%98%80',
      'p%53word%2fX%2b%c3%a4+%f0%9f%98%80',
      'pSword/X+\\u00e4\\u0020\\ud83d\\ude00',
      'p\\u0053word/X+ä 😀',
    ]) {
      expect(redact(`before ${spelling} after`), spelling).toBe('before *** after');
    }
  });

  it("never matches another text: the secret's characters are not patterns", () => {
    const special = redactor(['a.b*c(d)?']);
    expect(special('aXb*c(d)? and a.bbbc(d)')).toBe('aXb*c(d)? and a.bbbc(d)');
    expect(special('a.b*c(d)?')).toBe('***');
  });
});

describe('never throws', () => {
  const cases: Array<[url: string, printed: string]> = [
    ['postgres://app:%@db/k', 'postgres://app:***@db/k'],
    ['postgres://app:%%%@db/k', 'postgres://app:***@db/k'],
    ['postgres://app:%e9%C3@db/k', 'postgres://app:***@db/k'], // escapes that are not UTF-8: pg's parser throws on them
    ['postgres://app:100%25@db/k?password=%', 'postgres://app:***@db/k?password=***'],
    ['postgres://app:p%zz@db/k?sslmode=require&sslrootcert=/no/such/file', 'postgres://app:***@db/k?sslmode=require&sslrootcert=/no/such/file'],
    ['postgres://[::1', 'postgres://[::1'],
    ['not a url %%% at all', 'not a url %%% at all'],
  ];
  it.each(cases)('on %s, and hides the password written there', (url, printed) => {
    expect(redactorFor(url)(`cannot use ${url}`)).toBe(`cannot use ${printed}`);
  });

  it('hides a password pg cannot decode (not UTF-8) as written', () => {
    const url = 'postgres://app:bad%e9%C3pass@db/k';
    expect(() => parse(url)).toThrow(URIError);
    expect(redactorFor(url)(`cannot use ${url}`)).toBe('cannot use postgres://app:***@db/k');
  });

  it('never reads the certificate files a URL names (pg would, and throw when they are missing)', () => {
    const url = 'postgres://app:certSECRET@db/k?sslmode=verify-ca&sslrootcert=/no/such/root.crt';
    expect(() => parse(url)).toThrow(/ENOENT/);
    expect(passwordSpellingsOf(url)).toContain('certSECRET');
  });
});

describe('a password shorter than 4 characters', () => {
  const redact = redactorFor('postgres://app:f@db.internal/konstruct');

  it('is hidden as the URL password field, in user:password@ and in ?password=', () => {
    expect(redact('cannot use postgres://app:f@db.internal/konstruct')).toBe('cannot use postgres://app:***@db.internal/konstruct');
    expect(redactor(['f'])('cannot use postgres://app@db/k?sslmode=disable&password=f')).toBe(
      'cannot use postgres://app@db/k?sslmode=disable&password=***',
    );
    expect(redactor(['f'])('{"url":"postgres://app@db/k?password=f"}')).toBe('{"url":"postgres://app@db/k?password=***"}');
  });

  it('is never replaced inside other words', () => {
    expect(redact('error: connection failed: fatal: password authentication failed for user "app"')).toBe(
      'error: connection failed: fatal: password authentication failed for user "app"',
    );
  });

  it('gives an observer no way to tell whether a guess is right', () => {
    // The same message, redacted for the right one-letter password and for a wrong one, reads the same.
    const message = 'failed: off by one; postgres://other:x@elsewhere/db';
    expect(redactor(['f'])(message)).toBe(message);
    expect(redactor(['q'])(message)).toBe(message);
  });

  it('a 4-character password is hidden anywhere', () => {
    expect(redactor(['wxyz'])('got wxyz back')).toBe('got *** back');
  });
});

describe("the tool's own words", () => {
  it('are never altered, even when the password is one of them', () => {
    const redact = redactorFor('postgres://user:password@db/konstruct');
    expect(redact(`DATABASE_URL ${NOT_A_POSTGRES_URL}`)).toBe(`DATABASE_URL ${NOT_A_POSTGRES_URL}`);
    expect(redact(ownWords`Check the password in ${'postgres://user:password@db/konstruct'}.`)).toBe(
      'Check the password in postgres://user:***@db/konstruct.',
    );
  });
});

describe('a secret as an SQL string literal spells it', () => {
  const secret = "pw'Quote\\S3cr3t-é";
  const redact = redactor([secret]);
  const bytes = [...Buffer.from(secret)];

  it.each([
    ['doubled quotes', "'pw''Quote\\S3cr3t-é'", "'***'"],
    ["E'' backslash escapes", "E'pw\\'Quote\\\\S3cr3t-é'", "E'***'"],
    ["E'' escapes of any character", "E'\\p\\w''Quote\\\\\\S3cr3t-\\é'", "E'***'"],
    ["E'' octal escapes, one per UTF-8 byte", `E'${bytes.map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('')}'`, "E'***'"],
    ["E'' hex escapes, either case", `E'${bytes.map((b, i) => `\\x${i % 2 ? b.toString(16) : b.toString(16).toUpperCase()}`).join('')}'`, "E'***'"],
    ["E'' Unicode escapes", `E'${[...secret].map((c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`).join('')}'`, "E'***'"],
    ["E'' long Unicode escapes", `E'${[...secret].map((c) => `\\U${c.codePointAt(0)!.toString(16).padStart(8, '0')}`).join('')}'`, "E'***'"],
    ["U&'' escapes", `U&'${[...secret].map((c) => `\\+${c.codePointAt(0)!.toString(16).padStart(6, '0')}`).join('')}'`, "U&'***'"],
    ['dollar quoting', `$body$${secret}$body$`, '$body$***$body$'],
  ])('%s', (_, spelled, redacted) => {
    expect(redact(`select ${spelled} as x`)).toBe(`select ${redacted} as x`);
    // As --json prints the statement.
    expect(redact(JSON.stringify({ sql: `select ${spelled} as x` }))).toBe(JSON.stringify({ sql: `select ${redacted} as x` }));
  });
});

describe('a piece of a secret that PostgreSQL prints on its own', () => {
  const redact = redactor(["pw'Quote-S3cr3t-and-more"]);

  it('is hidden between double quotes from 2 characters, also JSON-escaped', () => {
    expect(redact('DETAIL: Token "pw" is invalid.')).toBe('DETAIL: Token "***" is invalid.');
    expect(redact(JSON.stringify({ detail: 'Token "Quote" is invalid.' }))).toBe(JSON.stringify({ detail: 'Token "***" is invalid.' }));
  });

  it('its beginning is hidden anywhere from 16 characters, as a value cut short', () => {
    expect(redact("Failing row contains (42, pw'Quote-S3cr3t-an).")).toBe('Failing row contains (42, ***).');
    expect(redact(JSON.stringify({ detail: "Failing row contains (pw'Quote-S3cr3t-and-mo)." }))).toBe(JSON.stringify({ detail: 'Failing row contains (***).' }));
  });

  it('leaves other quoted words, shorter beginnings and unquoted middle parts alone', () => {
    const text = 'column "p" of relation "portal_users" does not exist; pw\'Quote-S3cr3t; Quote-S3cr3t-and';
    expect(redact(text)).toBe(text);
  });

  it("leaves the words of a secret made of words alone: the embedded server's password", () => {
    const text = 'using the embedded PostgreSQL in /home/you/konstruct-migrate/.konstruct/pgdata; GRANT USAGE TO konstruct_app';
    expect(redactor(['konstruct-embedded'])(text)).toBe(text);
  });
});

describe('a text holding a secret spelled with only one kind of escape', () => {
  // Texts without %, \, + or ' are matched against the secrets as written only (src/db/secret-patterns.ts):
  // each of these four must still send its text to the patterns of every spelling.
  it.each([
    ['percent-encoded', 'secret-pw', 'secret%2Dpw'],
    ['JSON-escaped', 'secret-pw', '\\u0073ecret-pw'],
    ['with + for a space', 'secret pw', 'secret+pw'],
    ["with '' for a quote", "secret'pw", "secret''pw"],
  ])('%s', (_, secret, spelled) => {
    expect(redactor([secret])(`refused ${spelled} here`)).toBe('refused *** here');
  });

  it('and the secret as written, in a text with none of them', () => {
    expect(redactor(['secret-pw', 'other-pw'])('refused secret-pw, then other-pw')).toBe('refused ***, then ***');
  });
});
