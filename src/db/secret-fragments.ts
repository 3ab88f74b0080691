/**
 * Parts of a secret that PostgreSQL prints on their own. A whole secret is
 * found however it is spelled (any-spelling.ts), but some messages show only a
 * piece of the value they were given:
 *   - a quoted token: `'pw''Quote-S3cr3t'::json` fails with the detail
 *     `Token "pw" is invalid.`, the lexer's first word of the value;
 *   - a value cut to a length: "Failing row contains (...)" shows at most 64
 *     bytes of each column, identifiers are cut to 63.
 * So, for every secret of at least MIN_SUBSTRING_SECRET_LENGTH characters:
 *   - the text between two double quotes (also JSON-escaped quotes) that is a
 *     part of it, of QUOTED_FRAGMENT_LENGTH characters or more, is hidden;
 *   - any run of LOOSE_FRAGMENT_LENGTH characters or more that is a part of it is
 *     hidden wherever it stands: too long to be an ordinary word by chance.
 * A piece is compared as printed and JSON-decoded (as --json prints it).
 */
import { jsonEscaped } from './spelling-patterns';

const QUOTED_FRAGMENT_LENGTH = 2;
export const LOOSE_FRAGMENT_LENGTH = 8;

/** [from, to) spans of `text` that are pieces of one of `secrets`, in order, not overlapping. */
export function fragmentSpans(text: string, secrets: string[]): Array<[number, number]> {
  if (secrets.length === 0) return [];
  const forms = secrets.flatMap((secret) => [secret, jsonEscaped(secret)]);
  const spans = [...quotedFragments(text, forms), ...looseFragments(text, forms)].sort(([a], [b]) => a - b);
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

/** Each longest run of LOOSE_FRAGMENT_LENGTH or more characters that is part of a secret. */
function* looseFragments(text: string, forms: string[]): Generator<[number, number]> {
  const starts = new Set<string>();
  for (const form of forms) {
    for (let i = 0; i + LOOSE_FRAGMENT_LENGTH <= form.length; i++) starts.add(form.slice(i, i + LOOSE_FRAGMENT_LENGTH));
  }
  for (let at = 0; at + LOOSE_FRAGMENT_LENGTH <= text.length; at++) {
    if (!starts.has(text.slice(at, at + LOOSE_FRAGMENT_LENGTH))) continue;
    let end = at + LOOSE_FRAGMENT_LENGTH;
    while (end < text.length && forms.some((form) => form.includes(text.slice(at, end + 1)))) end++;
    yield [at, end];
    at = end - 1;
  }
}
