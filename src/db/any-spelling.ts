/**
 * A regular expression for a secret however a message spells it.
 *
 * Listing spellings (as written, encodeURIComponent, JSON) misses the ones
 * nobody listed: `%2F` where the URL had `%2f`, a needlessly escaped `%53` for
 * `S`, `\u0041` from a JSON encoder that escapes more than JSON.stringify does.
 * So each character of the secret may stand as itself, percent-encoded (its
 * UTF-8 bytes, hex in either case; `+` for a space, as in a query), or
 * JSON-escaped (`\"`, `\\`, `\n`, `\uXXXX`), independently of its neighbours.
 * The pattern has no quantifiers, so matching it costs no more than reading it.
 */
export function anySpelling(secret: string): string {
  let pattern = '';
  for (const char of secret) pattern += `(?:${[...spellingsOf(char)].join('|')})`;
  return pattern;
}

/** The ways one character (one code point) may be written, as regular expression sources. */
function spellingsOf(char: string): Set<string> {
  const spellings = new Set<string>([escapeRegExp(char)]);
  spellings.add([...Buffer.from(char, 'utf8')].map((byte) => `%${hexPattern(byte, 2)}`).join(''));
  spellings.add(escapeRegExp(JSON.stringify(char).slice(1, -1)));
  // \uXXXX for each UTF-16 unit: a character outside the BMP is two of them.
  let units = '';
  for (let i = 0; i < char.length; i++) units += `\\\\u${hexPattern(char.charCodeAt(i), 4)}`;
  spellings.add(units);
  if (char === ' ') spellings.add('\\+');
  return spellings;
}

/** `value` as hex digits, each letter matching either case. */
function hexPattern(value: number, digits: number): string {
  return [...value.toString(16).padStart(digits, '0')].map((d) => (/[a-f]/.test(d) ? `[${d}${d.toUpperCase()}]` : d)).join('');
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
