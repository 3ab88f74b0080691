/**
 * The connection password must never reach any output: errors, --verbose,
 * --json, logs of failed SQL. Every string the CLI prints passes through here.
 *
 * Only the secret's own occurrences are replaced, never the tool's fixed words:
 * with the password `host`, "Check the host and port" stays as it is. Messages
 * the tool writes are built with the `ownWords` template tag, which records
 * their literal text; an occurrence of a secret that lies inside such a literal
 * phrase is the tool speaking, not the secret, and is left alone. The values
 * put into those messages (a server's error, a file name) are redacted as usual.
 */
/** The password of a connection URL: `user:password@host`, or libpq's `?password=` parameter. */
export function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    const password = parsed.password === '' ? parsed.searchParams.get('password') : decodeURIComponent(parsed.password);
    return password || undefined;
  } catch {
    return undefined;
  }
}

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
  const ordered = [...variants].sort((a, b) => b.length - a.length);
  return (text) => (ordered.some((v) => text.includes(v)) ? replaceOccurrences(text, ordered) : text);
}

/** Replaces each occurrence of a variant (longest first) with ***, except inside the tool's own phrases. */
function replaceOccurrences(text: string, variants: string[]): string {
  const phrases = phraseSpans(text);
  let out = '';
  for (let i = 0; i < text.length; ) {
    const variant = variants.find((v) => text.startsWith(v, i) && !phrases.some(([from, to]) => from <= i && i + v.length <= to && to - from > v.length));
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
