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
 * A secret of 4 characters or more is also hidden where a message shows only a
 * piece of it (a token PostgreSQL quotes, a value it cuts): secret-fragments.ts.
 *
 * Which passwords a URL holds: password-spellings.ts; how each may be spelled:
 * any-spelling.ts and sql-literal-spellings.ts. The other secrets a run knows
 * (INVITE_SECRET, SMTP_PASSWORD): config/setting-secrets.ts.
 */
import { parseUrl, urlText } from './hostless-url';
import { fragmentSpans } from './secret-fragments';
import { secretPatterns, type SecretPatterns } from './secret-patterns';

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
  // Longest first: where one secret contains another, all of the longer one is hidden.
  const known = [...new Set(secrets.filter((s): s is string => Boolean(s)))].sort((a, b) => b.length - a.length);
  if (known.length === 0) return (text) => text;
  const longSecrets = known.filter((s) => [...s].length >= MIN_SUBSTRING_SECRET_LENGTH);
  const patternsFor = secretPatterns(known, longSecrets);
  return (text) => {
    const { anywhere, ...fields } = patternsFor(text);
    const withoutFields = hidePasswordFields(text, fields);
    const withoutWhole = anywhere ? hideMatches(withoutFields, anywhere) : withoutFields;
    return hideSpans(withoutWhole, fragmentSpans(withoutWhole, longSecrets));
  };
}

/** Where a URL's password field begins: after `//user:`, or after `?password=` / `&password=`. */
const PASSWORD_FIELD_START = /\/\/[^\s/?#@:]*:|[?&]password=/gi;

/** Replaces each password field of a URL in the text that holds a known secret, of any length, with ***. */
function hidePasswordFields(text: string, fields: Pick<SecretPatterns, 'userinfo' | 'query'>): string {
  if (!text.includes('//') && !/password=/i.test(text)) return text;
  const phrases = phraseSpans(text);
  let out = '';
  let copied = 0;
  for (const start of fieldStarts(text)) {
    if (start.at < copied) continue;
    const pattern = start.inUserinfo ? fields.userinfo : fields.query;
    pattern.lastIndex = start.at;
    const secret = pattern.exec(text)?.[0];
    if (!secret || insideOwnPhrase(phrases, start.at, secret.length)) continue;
    out += `${text.slice(copied, start.at)}***`;
    copied = start.at + secret.length;
  }
  return out + text.slice(copied);
}

function* fieldStarts(text: string): Generator<{ at: number; inUserinfo: boolean }> {
  for (const match of text.matchAll(PASSWORD_FIELD_START)) yield { at: match.index + match[0].length, inUserinfo: match[0].startsWith('//') };
}

/** Replaces each match of `pattern` (a global one) with ***, except inside the tool's own phrases. */
function hideMatches(text: string, pattern: RegExp): string {
  let phrases: Array<[number, number]> | undefined;
  let out = '';
  let copied = 0;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    phrases ??= phraseSpans(text);
    if (insideOwnPhrase(phrases, match.index, match[0].length)) {
      pattern.lastIndex = match.index + 1;
      continue;
    }
    out += `${text.slice(copied, match.index)}***`;
    copied = pattern.lastIndex;
  }
  return out + text.slice(copied);
}

/** Replaces each [from, to) span with ***, except inside the tool's own phrases. */
function hideSpans(text: string, spans: Array<[number, number]>): string {
  if (spans.length === 0) return text;
  const phrases = phraseSpans(text);
  let out = '';
  let copied = 0;
  for (const [from, to] of spans) {
    if (insideOwnPhrase(phrases, from, to - from)) continue;
    out += `${text.slice(copied, from)}***`;
    copied = to;
  }
  return out + text.slice(copied);
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
  const u = parseUrl(url);
  if (!u) return '(unparseable URL)';
  if (u.password) u.password = '***';
  if (u.searchParams.has('password')) u.searchParams.set('password', '***');
  return urlText(u);
}
