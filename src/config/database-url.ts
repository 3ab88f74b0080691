/**
 * Where the database connection comes from, in order of precedence:
 *   --url flag  >  DATABASE_URL in the environment  >  DATABASE_URL in ./.env
 *   >  libpq variables (PGHOST, PGDATABASE, ...)  >  the embedded PostgreSQL.
 * This file knows the sources and what a usable URL is; config.ts applies the order.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { hostOf, parseUrl } from '../db/hostless-url';
import { ownWords } from '../db/redact';
import { ConfigError } from '../errors';

export type UrlSource = 'flag' | 'env' | 'dotenv' | 'libpq' | 'embedded';

/** How messages and hints name each source, so they point at what the user actually set. */
export const SOURCE_LABELS: Record<UrlSource, string> = {
  flag: '--url',
  env: 'DATABASE_URL',
  dotenv: 'DATABASE_URL in .env',
  libpq: 'the PG* variables',
  embedded: 'the embedded PostgreSQL',
};

/** Read after the variable's name; never contains the value, which usually holds a password. */
// Written with ownWords: a password that is `password` must not turn the example into user:***@.
export const NOT_A_POSTGRES_URL = ownWords`is not a PostgreSQL URL (expected postgres://user:password@host:5432/database)`;

/** Read after the variable's name; says what to do without printing any part of the URL. */
export const UNENCODED_CREDENTIALS =
  'has an @, #, / or ? in its user name or password that is not percent-encoded, so the host would be read from the password; ' +
  'percent-encode them (@ %40, # %23, / %2F, ? %3F)';

/**
 * A postgres:// URL naming a server: a host, or as in libpq a `host` parameter
 * (a socket folder: `postgres://app@/konstruct?host=/var/run/postgresql`).
 */
export function isPostgresUrl(value: string): boolean {
  const url = parseUrl(value);
  if (!url) return false;
  return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && (hostOf(url) !== '' || Boolean(url.searchParams.get('host')?.trim()));
}

/**
 * A password holding a raw `#`, `@`, `/` or `?` ends the user information early:
 * `postgres://app:p@ss#w0rd@db/konstruct` would connect to host "ss". Seen as
 * written, such a URL has an @ after the user information should have ended, or
 * more than one @ in it. An @ in a query value (?application_name=me@laptop)
 * is not in the credentials and is fine.
 */
export function hasUnencodedCredentials(value: string): boolean {
  const scheme = /^postgres(?:ql)?:\/\//i.exec(value.trim());
  if (!scheme) return false;
  const rest = value.trim().slice(scheme[0].length);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  if (authority.indexOf('@') !== authority.lastIndexOf('@')) return true;
  const lateAt = authorityEnd === -1 ? -1 : rest.indexOf('@', authorityEnd);
  if (lateAt === -1) return false;
  // An @ after a / ? or #: in the credentials, unless it sits in a query value.
  const query = rest.indexOf('?');
  const inQueryValue = query !== -1 && query < lateAt && rest.slice(query, lateAt).includes('=') && !rest.slice(lateAt).includes('/');
  return !inQueryValue;
}

/** The variables of `<cwd>/.env`; a missing file is no file. */
export function readDotenv(cwd: string): Record<string, string> {
  return readDotenvFile(cwd).values;
}

export interface DotenvFile {
  values: Record<string, string>;
  /**
   * Variables whose unquoted value holds a #: .env reads it as the start of a
   * comment and drops the rest, so `DATABASE_URL=postgres://app:p@ss#w0rd@db/app`
   * arrives as postgres://app:p@ss, a URL for host "ss".
   */
  cutAtHash: Set<string>;
}

export function readDotenvFile(cwd: string): DotenvFile {
  let text: string;
  try {
    text = readFileSync(path.join(cwd, '.env'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { values: {}, cutAtHash: new Set() };
    throw new ConfigError(`.env could not be read: ${(error as Error).message}`);
  }
  const cutAtHash = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const unquoted = /^\s*(?:export\s+)?([\w.-]+)\s*=\s*([^'"`\s].*)$/.exec(line);
    // A # after a space is meant as a comment; one inside the value is not.
    if (unquoted && /[^\s]#/.test(unquoted[2]!)) cutAtHash.add(unquoted[1]!);
  }
  return { values: parseDotenv(text), cutAtHash };
}
