/**
 * The URL parameters that choose TLS. The CLI applies them itself, the way libpq
 * does (ssl-mode.ts), and hands node-postgres the URL without them: node-postgres
 * would let them override its `ssl` setting, read certificate files and warn.
 */
import { parseUrl, urlText } from './hostless-url';

const TLS_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl', 'uselibpqcompat'];

/** The URL node-postgres is given: `url` as it is when it has no TLS parameter, else without them. */
export function withoutTlsParams(url: string): string {
  const u = parseUrl(url);
  if (!u) throw new TypeError('Invalid URL');
  if (!TLS_PARAMS.some((name) => u.searchParams.has(name))) return url;
  for (const name of TLS_PARAMS) u.searchParams.delete(name);
  return urlText(u);
}
