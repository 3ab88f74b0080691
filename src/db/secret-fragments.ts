/**
 * Parts of a secret that PostgreSQL prints on their own. A whole secret is
 * found however it is spelled (any-spelling.ts), but some messages show only a
 * piece of the value they were given:
 *   - a quoted token: `'pw''Quote-S3cr3t'::json` fails with the detail
 *     `Token "pw" is invalid.`, the lexer's first word of the value;
 *   - a value cut to a length: "Failing row contains (...)" shows the first 64
 *     bytes of each column, an identifier keeps its first 63.
 * So, for every secret of at least MIN_SUBSTRING_SECRET_LENGTH characters:
 *   - the text between two double quotes (also JSON-escaped quotes) that is a
 *     part of it, of QUOTED_FRAGMENT_LENGTH characters or more, is hidden;
 *   - its beginning, PREFIX_FRAGMENT_LENGTH characters or more, is hidden wherever
 *     it stands: too long to be there by chance. Not any part of that length:
 *     a secret made of words (the embedded server's `konstruct-embedded`) would
 *     hide those words everywhere (`konstruct-migrate`).
 * A piece is compared as printed and JSON-escaped (as --json prints it).
 */
import { jsonEscaped } from './spelling-patterns';

const QUOTED_FRAGMENT_LENGTH = 2;
const PREFIX_FRAGMENT_LENGTH = 16;

/** [from, to) spans of `text` that are pieces of one of `secrets`, in order, not overlapping. */
export function fragmentSpans(text: string, secrets: string[]): Array<[number, number]> {
  if (secrets.length === 0) return [];
  const forms = secrets.flatMap((secret) => [secret, jsonEscaped(secret)]);
  const spans = [...quotedFragments(text, forms), ...prefixFragments(text, forms)].sort(([a], [b]) => a - b);
  const merged: Array<[number, number]> = [];
  for (const [from, to] of spans) {
    const last = merged[merged.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

/** Each `"..."` (or `\"...\"`) whose inside is part of a secret. Every quote is tried as an opening one. */
function* quotedFragments(text: string, forms: string[]): Generator<[number, number]> {
  for (let open = text.indexOf('"'); open !== -1; open = text.indexOf('"', open + 1)) {
    const close = text.indexOf('"', open + 1);
    if (close === -1) return;
    // A JSON-escaped pair of quotes: \"pw\" — the inside ends before the backslash.
    const end = text[close - 1] === '\\' ? close - 1 : close;
    const inside = text.slice(open + 1, end);
    if (inside.length >= QUOTED_FRAGMENT_LENGTH && forms.some((form) => form.includes(inside))) yield [open + 1, end];
  }
}

/** Each longest beginning of a secret, PREFIX_FRAGMENT_LENGTH characters or more. */
function* prefixFragments(text: string, forms: string[]): Generator<[number, number]> {
  for (const form of forms) {
    if (form.length < PREFIX_FRAGMENT_LENGTH) continue;
    const head = form.slice(0, PREFIX_FRAGMENT_LENGTH);
    for (let at = text.indexOf(head); at !== -1; at = text.indexOf(head, at + 1)) {
      let end = at + PREFIX_FRAGMENT_LENGTH;
      while (end < text.length && end - at < form.length && text[end] === form[end - at]) end++;
      yield [at, end];
    }
  }
}
