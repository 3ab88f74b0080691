/**
 * The regular expressions redact.ts matches secrets with, built only as far as a
 * text needs them.
 *
 * Every spelling of a character that anySpelling allows, other than the character
 * itself, contains a `%` (percent-encoding), a `\` (JSON and SQL escapes), a `+`
 * (a space in a query) or a `'` (`''` in an SQL literal). A text without any of
 * those can only hold a secret as written, and there the patterns of the secrets
 * as written match exactly what the patterns of every spelling would. Those are
 * cheap; the others are large (~2,900 characters for an 18-character password)
 * and took ~90 ms of each command to build and compile (less since any-spelling.ts
 * separates its characters: V8 compiled the unseparated sequence slowly), although
 * most of what a command prints (a status table, a summary line) has none of the four.
 */
import { anySpelling } from './any-spelling';
import { escapeRegExp } from './spelling-patterns';

const ESCAPE_MARKS = /[%\\+']/;

export interface SecretPatterns {
  /** Any of the secrets (longest first), as a URL's password field ends: `user:SECRET@`. */
  userinfo: RegExp;
  /** The same, as a query value ends: `?password=SECRET&`. */
  query: RegExp;
  /** Any of the secrets long enough to be hidden anywhere; undefined when none is. */
  anywhere?: RegExp;
}

/** `known`: longest first; `long`: those long enough to be hidden anywhere. */
export function secretPatterns(known: string[], long: string[]): (text: string) => SecretPatterns {
  const asWritten = patternsOf(known.map(escapeRegExp), long.map(escapeRegExp));
  let everySpelling: SecretPatterns | undefined;
  return (text) => (ESCAPE_MARKS.test(text) ? (everySpelling ??= patternsOf(known.map(anySpelling), long.map(anySpelling))) : asWritten);
}

function patternsOf(known: string[], long: string[]): SecretPatterns {
  const all = known.join('|');
  return {
    userinfo: new RegExp(`(?:${all})(?=@)`, 'y'),
    // A query value ends the URL, or where the next parameter, the fragment, or the quoting around it begins.
    query: new RegExp(`(?:${all})(?=$|[\\s&#"'\\\\),;])`, 'y'),
    anywhere: long.length > 0 ? new RegExp(long.join('|'), 'g') : undefined,
  };
}
