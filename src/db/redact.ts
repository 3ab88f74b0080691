/**
 * The connection password must never reach any output: errors, --verbose,
 * --json, logs of failed SQL. Every string the CLI prints passes through here.
 *
 * A secret is hidden in two ways:
 * - where it stands as a URL's password field (`user:SECRET@`, `password=SECRET`),
 *   whatever its length;
 * - anywhere else in the text only when it is at least 4 characters long. A
 *   shorter one would garble ordinary words (`f***iled`) and, by which words it
 *   garbles, tell an observer whether a guessed password is right.
 *
 * Only the secret's own occurrences are replaced, never the tool's fixed words:
 * with the password `host`, "Check the host and port" stays as it is. Messages
 * the tool writes are built with the `ownWords` template tag, which records
 * their literal text; an occurrence of a secret that lies inside such a literal
 * phrase is the tool speaking, not the secret, and is left alone. The values
 * put into those messages (a server's error, a file name) are redacted as usual.
 *
 * Which spellings of a URL's password to hide: password-spellings.ts.
 */
import { decoded } from './password-spellings';

/** Shorter secrets are hidden only as a URL's password field (see above). */
export const MIN_SUBSTRING_SECRET_LENGTH = 4;

/**
 * Literal phrases of the tool's messages. Shorter ones (": ", " / ") join values
 * and cannot tell the tool's words from data, so they protect nothing.
 */
const ownPhrases = new Set<string>();
const MIN_PHRASE_LENGTH = 8;

/** A template tag for the tool's own messages: `` ownWords`Check the host and port in ${where}.` `` */
export function ownWords(strings: TemplateStringsArray, ...values: unknown[]): string {
  for (const literal of strings) if (literal.length >= MIN_PHRASE_LENGTH) ownPhrases.add(literal);
  return strings.reduce((text, literal, i) => text + String(values[i - 1]) + literal);
}

export function redactor(secrets: Array<string | undefined>): (text: string) => string {
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    variants.add(secret);
    variants.add(encodeURIComponent(secret));
    // As it appears inside a --json string: quotes, backslashes and control characters escaped.
    variants.add(JSON.stringify(secret).slice(1, -1));
  }
  const longestFirst = [...variants].sort((a, b) => b.length - a.length);
  const anywhere = longestFirst.filter((v) => v.length >= MIN_SUBSTRING_SECRET_LENGTH);
  if (longestFirst.length === 0) return (text) => text;
  return (text) => {
    const withoutFields = hidePasswordFields(text, variants, longestFirst);
    return anywhere.some((v) => withoutFields.includes(v)) ? replaceOccurrences(withoutFields, anywhere) : withoutFields;
  };
}

/** Where a URL's password field begins: after `//user:`, or after `?password=` / `&password=`. */
const PASSWORD_FIELD_START = /\/\/[^\s/?#@:]*:|[?&]password=/gi;

/** Replaces each password field of a URL in the text that holds a known secret, of any length, with ***. */
function hidePasswordFields(text: string, known: Set<string>, longestFirst: string[]): string {
  if (!text.includes('//') && !/password=/i.test(text)) return text;
  const phrases = phraseSpans(text);
  let out = '';
  let copied = 0;
  for (const match of text.matchAll(PASSWORD_FIELD_START)) {
    const start = match.index + match[0].length;
    if (start < copied) continue;
    const length = knownFieldLength(text, start, match[0].startsWith('//'), known, longestFirst);
    if (length === 0 || insideOwnPhrase(phrases, start, length)) continue;
    out += `${text.slice(copied, start)}***`;
    copied = start + length;
  }
  return out + text.slice(copied);
}

/** The length of the password field at `start` when it is a known secret, in any spelling; else 0. */
function knownFieldLength(text: string, start: number, inUserinfo: boolean, known: Set<string>, longestFirst: string[]): number {
  const endsAt = (at: number) => (inUserinfo ? text[at] === '@' : at === text.length || /[\s&#"'\\),;]/.test(text[at]!));
  const spelled = longestFirst.find((v) => text.startsWith(v, start) && endsAt(start + v.length));
  if (spelled) return spelled.length;
  // A spelling not seen before (the URL printed after re-encoding) that decodes to a known one.
  const run = /^[^\s/?#@&"']+/.exec(text.slice(start))?.[0];
  return run && endsAt(start + run.length) && known.has(decoded(run) ?? '') ? run.length : 0;
}

/** Replaces each occurrence of a variant (longest first) with ***, except inside the tool's own phrases. */
function replaceOccurrences(text: string, variants: string[]): string {
  const phrases = phraseSpans(text);
  let out = '';
  for (let i = 0; i < text.length; ) {
    const variant = variants.find((v) => text.startsWith(v, i) && !insideOwnPhrase(phrases, i, v.length));
    if (variant) {
      out += '***';
      i += variant.length;
    } else {
      out += text[i];
      i += 1;
    }
  }
  return out;
}

/** Where the tool's own phrases occur in the text, as [from, to) spans. */
function phraseSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const phrase of ownPhrases) {
    for (let at = text.indexOf(phrase); at !== -1; at = text.indexOf(phrase, at + 1)) spans.push([at, at + phrase.length]);
  }
  return spans;
}

/** Whether [at, at + length) lies inside one of the tool's own phrases, and is not all of it. */
function insideOwnPhrase(phrases: Array<[number, number]>, at: number, length: number): boolean {
  return phrases.some(([from, to]) => from <= at && at + length <= to && to - from > length);
}

/** A URL safe to print: the password replaced by ***. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.searchParams.has('password')) u.searchParams.set('password', '***');
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
