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
import { ownWords } from './redact';
import { withoutTlsParams } from './tls-params';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** What node-postgres gets as `ssl` for one connection attempt. */
export type TlsAttempt = false | ConnectionOptions;

/** The PG* variables, as read by the configuration. */
export interface LibpqSettings {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
}

/** What connectionSettings reads of the configuration (config/config.ts's KonstructConfig). */
export interface ConnectionConfig {
  connection: { url?: string; libpq?: LibpqSettings; label: string };
  tls: { mode: SslMode; rootCert?: string; cert?: string; key?: string };
}

export interface ConnectionSettings {
  /** The URL without its TLS parameters (node-postgres would let them override `ssl`); undefined: the PG* variables. */
  connectionString?: string;
  /** Without a URL: the PG* variables, as read by the configuration. */
  libpq?: LibpqSettings;
  sslMode: SslMode;
  /** In order; the next is tried only when the server refused the previous one's (no) encryption. */
  attempts: TlsAttempt[];
  /** How hints name where the connection came from (--url, DATABASE_URL, ...). */
  where: string;
}

/** What to connect with, from the configuration (config.ts read and checked sslmode and the certificate files). */
export function connectionSettings(config: ConnectionConfig): ConnectionSettings {
  const { url, libpq, label } = config.connection;
  const { tls } = config;
  const files = { ca: readPem(tls.rootCert), cert: readPem(tls.cert), key: readPem(tls.key) };
  return { connectionString: url && withoutTlsParams(url), libpq, sslMode: tls.mode, attempts: attemptsFor(tls.mode, files), where: label };
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

/** The configuration checked the file is readable; a file that vanished since is still one clear line. */
function readPem(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`the certificate file ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
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
export function explainTlsFailure(error: unknown, settings: Pick<ConnectionSettings, 'sslMode' | 'where'>): ConnectionError | undefined {
  const { sslMode: mode, where } = settings;
  const e = error as { code?: string; message?: string };
  const message = e?.message ?? String(error);
  if (isTlsRefused(error)) {
    return new ConnectionError(
      ownWords`the server does not accept TLS connections, and sslmode=${mode} requires TLS.`,
      ownWords`Use sslmode=prefer (or disable) for this server, or turn on ssl in its postgresql.conf.`,
      error,
    );
  }
  if (isPlainRefused(error)) {
    return new ConnectionError(
      ownWords`the server accepts only encrypted connections: ${message}`,
      ownWords`sslmode=${mode} does not encrypt; use sslmode=require or verify-full.`,
      error,
    );
  }
  if (/error establishing an SSL connection/i.test(message)) {
    // PostgreSQL answers a TLS request with one byte, S or N; anything else is another kind of server.
    return new ConnectionError(
      ownWords`the server did not answer the TLS request as PostgreSQL does (sslmode=${mode}): ${message}`,
      ownWords`Check that the host and port in ${where} are a PostgreSQL server's (not a web server or a proxy of another protocol); if they are, try sslmode=disable to rule out TLS.`,
      error,
    );
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME/.test(e?.code ?? '')) {
    return new ConnectionError(ownWords`the server's TLS certificate was not accepted (sslmode=${mode}): ${message}`, certificateHint(e?.code, mode), error);
  }
  return undefined;
}

/** What to do depends on what failed: the host name, or the chain (and require checks a chain only when given a CA). */
function certificateHint(code: string | undefined, mode: SslMode): string {
  if (/ALTNAME/.test(code ?? '')) {
    return ownWords`Connect by a host name the certificate lists, or use sslmode=verify-ca to check the chain but not the name.`;
  }
  if (mode === 'require') {
    return ownWords`With sslrootcert, require checks the chain as libpq does: give the CA that signed the server certificate, or leave sslrootcert out to encrypt without checking.`;
  }
  return ownWords`Give its CA with sslrootcert=/path/to/ca.pem in the URL (or PGSSLROOTCERT), or use sslmode=require to encrypt without checking.`;
}
