/**
 * A regular expression for a secret however a message spells it.
 *
 * Listing spellings (as written, encodeURIComponent, JSON) misses the ones
 * nobody listed: `%2F` where the URL had `%2f`, a needlessly escaped `%53` for
 * `S`, `\u0041` from a JSON encoder that escapes more than JSON.stringify does.
 * So each character of the secret may stand as itself, percent-encoded (its
 * UTF-8 bytes, hex in either case; `+` for a space, as in a query), JSON-escaped
 * (`\"`, `\\`, `\n`, `\uXXXX`), or as an SQL string literal writes it
 * (sql-literal-spellings.ts: `''`, `E'\''`, `\101`, `U&'\0041'`, and those
 * JSON-escaped again, as --json prints a statement), independently of its
 * neighbours. Dollar quoting writes the secret as itself.
 * The pattern has no unbounded quantifiers, so matching it costs no more than reading it.
 */
import { escapeRegExp, hexPattern, jsonEscaped } from './spelling-patterns';
import { sqlLiteralSpellings } from './sql-literal-spellings';

export function anySpelling(secret: string): string {
  let pattern = '';
  // `(?=)` (always true, consumes nothing: the same matches) after each character's alternatives: without it V8
  // compiles the sequence of alternations in time that grows much faster than its length, 160 ms for a 26-character
  // password and 450 ms for the two spellings of one URL's password, paid by each command whose output holds a `%`,
  // `\`, `+` or `'` (an escaped quote in --json); with it, ~10 ms (first match, Node 20).
  for (const char of secret) pattern += `(?:${[...spellingsOf(char)].join('|')})(?=)`;
  return pattern;
}

/**
 * The ways one character (one code point) may be written, as regular expression sources.
 * Escapes come first: alternatives are tried in order, and a secret's last character must
 * match all of `\x78`, not stop at the backslash when the secret has one there.
 */
function spellingsOf(char: string): Set<string> {
  const spellings = new Set<string>(sqlLiteralSpellings(char));
  spellings.add(escapeRegExp(jsonEscaped(char)));
  // \uXXXX for each UTF-16 unit: a character outside the BMP is two of them.
  let units = '';
  for (let i = 0; i < char.length; i++) units += `\\\\u${hexPattern(char.charCodeAt(i), 4)}`;
  spellings.add(units);
  spellings.add([...Buffer.from(char, 'utf8')].map((byte) => `%${hexPattern(byte, 2)}`).join(''));
  if (char === ' ') spellings.add('\\+');
  spellings.add(escapeRegExp(char));
  return spellings;
}
