/**
 * TLS the way libpq (psql, pg_dump) does it, from `sslmode` in the URL or
 * PGSSLMODE, with `sslrootcert`/`sslcert`/`sslkey` (or PGSSLROOTCERT, ...).
 * node-postgres alone differs: it ignores PGSSLMODE when given explicit
 * settings, treats `require` as `verify-full` (and warns about it), has no
 * `prefer`/`allow` fallback, and defaults to no TLS where libpq prefers it.
 *
 *   disable      plain only            require    TLS, certificate not checked
 *   allow        plain, then TLS       verify-ca  TLS, certificate chain checked
 *   prefer       TLS, then plain       verify-full  chain and host name checked
 *   (default: prefer, as libpq)
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError, ConnectionError } from '../errors';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** What node-postgres gets as `ssl` for one connection attempt. */
export type TlsAttempt = false | ConnectionOptions;

export interface ConnectionSettings {
  /** The URL without its TLS parameters (node-postgres would let them override `ssl`); undefined: PG* variables. */
  connectionString?: string;
  sslMode: SslMode;
  /** In order; the next is tried only when the server refused the previous one's (no) encryption. */
  attempts: TlsAttempt[];
}

const TLS_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl', 'uselibpqcompat'];

export function connectionSettings(url: string | undefined, env: NodeJS.ProcessEnv = process.env): ConnectionSettings {
  const params = url ? new URL(url).searchParams : new URLSearchParams();
  const fromUrl = (name: string) => params.get(name) ?? undefined;
  const setting = (name: string) => fromUrl(name) ?? env[`PG${name.toUpperCase()}`];

  const sslMode = parseMode(fromUrl('sslmode') !== undefined ? ['sslmode in the URL', fromUrl('sslmode')!] : legacyOrEnv(fromUrl('ssl'), env));
  const files = {
    ca: readPem('sslrootcert', setting('sslrootcert')),
    cert: readPem('sslcert', setting('sslcert')),
    key: readPem('sslkey', setting('sslkey')),
  };
  return { connectionString: url && withoutTlsParams(url), sslMode, attempts: attemptsFor(sslMode, files) };
}

function attemptsFor(mode: SslMode, files: { ca?: string; cert?: string; key?: string }): TlsAttempt[] {
  const clientCert = { ...(files.cert ? { cert: files.cert } : {}), ...(files.key ? { key: files.key } : {}) };
  const unverified: ConnectionOptions = { ...clientCert, rejectUnauthorized: false };
  const chainOnly: ConnectionOptions = { ...clientCert, ca: files.ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  switch (mode) {
    case 'disable':
      return [false];
    case 'allow':
      return [false, unverified];
    case 'prefer':
      return [unverified, false];
    case 'require':
      // libpq: with a root certificate at hand, require verifies the chain like verify-ca.
      return [files.ca ? chainOnly : unverified];
    case 'verify-ca':
      return [chainOnly];
    case 'verify-full':
      return [{ ...clientCert, ...(files.ca ? { ca: files.ca } : {}), rejectUnauthorized: true }];
  }
}

/** node-postgres's own `ssl=true` means a verified connection; PGSSLMODE applies when the URL says nothing. */
function legacyOrEnv(ssl: string | undefined, env: NodeJS.ProcessEnv): [string, string | undefined] {
  if (ssl === 'true' || ssl === '1') return ['ssl in the URL', 'verify-full'];
  if (ssl === 'false' || ssl === '0') return ['ssl in the URL', 'disable'];
  return ['PGSSLMODE', env.PGSSLMODE || undefined];
}

function parseMode([label, value]: [string, string | undefined]): SslMode {
  if (value === undefined) return 'prefer';
  if (value === 'no-verify') return 'require'; // node-postgres's name for it
  if ((SSL_MODES as readonly string[]).includes(value)) return value as SslMode;
  throw new ConfigError(`${label} is "${value}", which is not one of ${SSL_MODES.join(', ')}.`, 'Fix the value; `require` encrypts without checking the certificate.');
}

function readPem(name: string, file: string | undefined): string | undefined {
  // libpq 16: sslrootcert=system means the operating system's CAs, which Node uses by default.
  if (!file || (name === 'sslrootcert' && file === 'system')) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${name} file ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
}

function withoutTlsParams(url: string): string {
  const u = new URL(url);
  if (!TLS_PARAMS.some((name) => u.searchParams.has(name))) return url;
  for (const name of TLS_PARAMS) u.searchParams.delete(name);
  return u.toString();
}

/** The server answered the TLS request with "no": `prefer` may go on without TLS. */
export function isTlsRefused(error: unknown): boolean {
  return /does not support SSL/i.test((error as Error)?.message ?? '');
}

/** pg_hba.conf refused a connection without encryption: `allow` may go on with TLS. */
export function isPlainRefused(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '28000' && /no encryption/i.test(e.message ?? '');
}

/** One line for a TLS failure, or undefined when the failure has nothing to do with TLS. */
export function explainTlsFailure(error: unknown, mode: SslMode): ConnectionError | undefined {
  const e = error as { code?: string; message?: string };
  const message = e?.message ?? String(error);
  if (isTlsRefused(error)) {
    return new ConnectionError(
      `the server does not accept TLS connections, and sslmode=${mode} requires TLS.`,
      'Use sslmode=prefer (or disable) for this server, or turn on ssl in its postgresql.conf.',
      error,
    );
  }
  if (isPlainRefused(error)) {
    return new ConnectionError(
      `the server accepts only encrypted connections: ${message}`,
      `sslmode=${mode} does not encrypt; use sslmode=require or verify-full.`,
      error,
    );
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME/.test(e?.code ?? '')) {
    return new ConnectionError(`the server's TLS certificate was not accepted (sslmode=${mode}): ${message}`, certificateHint(e?.code, mode), error);
  }
  return undefined;
}

/** What to do depends on what failed: the host name, or the chain (and require checks a chain only when given a CA). */
function certificateHint(code: string | undefined, mode: SslMode): string {
  if (/ALTNAME/.test(code ?? '')) {
    return 'Connect by a host name the certificate lists, or use sslmode=verify-ca to check the chain but not the name.';
  }
  if (mode === 'require') {
    return 'With sslrootcert, require checks the chain as libpq does: give the CA that signed the server certificate, or leave sslrootcert out to encrypt without checking.';
  }
  return 'Give its CA with sslrootcert=/path/to/ca.pem in the URL (or PGSSLROOTCERT), or use sslmode=require to encrypt without checking.';
}
