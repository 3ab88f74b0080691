/**
 * Every spelling of a connection URL's password that a message could contain.
 *
 * Which password pg connects with is decided by pg-connection-string, the parser pg
 * itself uses, so that is asked, on the very string pg is given (the URL without its
 * TLS parameters: tls-params.ts). Its answer is not always the `user:password@` part:
 * a `?password=` parameter wins over it, and a `%` that starts no hex escape is a
 * literal (`50%offSECRET`), where decodeURIComponent would throw.
 *
 * A message may also echo the URL as written, so every password field is taken as
 * written too (`ab%2fcd`, a needless `%53`), with each way it decodes. Hiding a
 * spelling nobody prints costs nothing; missing one leaks the password.
 */
import { parse } from 'pg-connection-string';
import { withoutTlsParams } from './tls-params';

export function passwordSpellingsOf(url: string | undefined): string[] {
  if (!url) return [];
  const spellings = new Set<string>();
  const add = (spelling: string | null | undefined) => {
    if (spelling) spellings.add(spelling);
  };
  add(passwordPgUses(url));
  for (const written of writtenPasswordFields(url)) {
    add(written);
    add(decoded(written));
    // How the WHATWG URL parser (pg's, and the one printing a URL) reads a query value: + is a space.
    add(decoded(written.replace(/\+/g, ' ')));
  }
  return [...spellings];
}

/** The password pg would send for `url`; undefined when pg could not parse it either. */
function passwordPgUses(url: string): string | undefined {
  try {
    return parse(withoutTlsParams(url)).password ?? undefined;
  } catch {
    return undefined;
  }
}

/** The password fields exactly as written: `user:PASSWORD@` and every `password=` query value. */
export function writtenPasswordFields(url: string): string[] {
  const fields: string[] = [];
  const scheme = /^\s*[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (scheme) {
    const rest = url.slice(scheme[0].length);
    const authorityEnd = rest.search(/[/?#]/);
    const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
    // The URL parser splits the user information from the host at the last @.
    const userinfo = authority.slice(0, Math.max(authority.lastIndexOf('@'), 0));
    const colon = userinfo.indexOf(':');
    if (colon !== -1) fields.push(userinfo.slice(colon + 1));
  }
  const queryStart = url.indexOf('?');
  if (queryStart !== -1) {
    for (const pair of url.slice(queryStart + 1).split('#')[0]!.split('&')) {
      const equals = pair.indexOf('=');
      if (equals !== -1 && decoded(pair.slice(0, equals).replace(/\+/g, ' ')) === 'password') fields.push(pair.slice(equals + 1));
    }
  }
  return fields.filter(Boolean);
}

/** decodeURIComponent, or undefined where it would throw (a `%` that starts no escape). */
function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
