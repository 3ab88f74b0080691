/**
 * libpq takes a URL without a host when a `host` parameter names a Unix socket's
 * folder: `postgres://app:secret@/konstruct?host=/var/run/postgresql`. The URL
 * parser refuses user information without a host, so such a URL is read with a
 * placeholder host (as pg-connection-string does) and written back without it.
 */
const PLACEHOLDER_HOST = 'konstruct-no-host.invalid';

/** `text` parsed as a URL, also when it has user information and an empty host; undefined when it is none. */
export function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    const emptyHost = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*@)(?=[/?#]|$)/i.exec(text);
    if (!emptyHost) return undefined;
    try {
      return new URL(emptyHost[1] + PLACEHOLDER_HOST + text.slice(emptyHost[1]!.length));
    } catch {
      return undefined;
    }
  }
}

/** The host of a parsed URL: '' for none. */
export function hostOf(url: URL): string {
  return url.hostname === PLACEHOLDER_HOST ? '' : url.hostname;
}

/** A URL parsed by parseUrl, as text again, without the placeholder host. */
export function urlText(url: URL): string {
  return url.toString().replace(`@${PLACEHOLDER_HOST}`, '@');
}
