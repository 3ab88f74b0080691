/**
 * How an SQL string literal may write one character of a secret, as regular
 * expression sources (any-spelling.ts joins them with the other spellings).
 *
 * A migration that puts a secret into its SQL makes the statement carry it in
 * PostgreSQL's spelling, and the statement reaches --verbose, --json and
 * --dry-run. So besides the character itself (dollar quoting, plain literals),
 * each character may be:
 *   ''                   a quote doubled, in any literal;
 *   \'  \\  \c           an E'' literal's backslash escape of the character itself;
 *   \101  \x41           an E'' literal's octal or hex escape, one per UTF-8 byte;
 *   \u0041  \U00000041   an E'' literal's Unicode escape;
 *   \0041  \+000041      a U&'' literal's Unicode escape (with the default escape character).
 * Each of these may also appear JSON-escaped, as --json prints a statement (`\\'`).
 * Hiding a spelling nobody prints costs nothing; missing one leaks the secret.
 */
import { escapeRegExp, hexPattern, jsonEscaped } from './spelling-patterns';

/** A backslash as regular expression source: as itself, or JSON-escaped (two of them). */
const BACKSLASHES = ['\\\\', '\\\\\\\\'];

export function sqlLiteralSpellings(char: string): string[] {
  const spellings: string[] = [];
  const codePoint = char.codePointAt(0)!;
  const bytes = [...Buffer.from(char, 'utf8')];
  // JSON-escaped first: the longer spelling, tried before the one it begins with.
  for (const [backslash, itself] of [
    [BACKSLASHES[1]!, escapeRegExp(jsonEscaped(char))],
    [BACKSLASHES[0]!, escapeRegExp(char)],
  ] as const) {
    spellings.push(
      bytes.map((byte) => `${backslash}(?:${octalPattern(byte)}|x${hexPattern(byte, 2)}|x${hexPattern(byte, 1)})`).join(''),
      `${backslash}U${hexPattern(codePoint, 8)}`,
      `${backslash}\\+${hexPattern(codePoint, 6)}`,
    );
    if (codePoint <= 0xffff) spellings.push(`${backslash}u${hexPattern(codePoint, 4)}`, `${backslash}${hexPattern(codePoint, 4)}`);
    // Last: `\x` is how E'' escapes the letter x, and also how \x78 begins.
    spellings.push(backslash + itself);
  }
  if (char === "'") spellings.push("''");
  return spellings;
}

/** A byte's octal escape digits (one to three, with or without leading zeros). */
function octalPattern(byte: number): string {
  const digits = byte.toString(8);
  return `0{0,${3 - digits.length}}${digits}`;
}
