/**
 * Text a person typed, as the new-row schemas accept it: names and email addresses.
 *
 * Surrounding whitespace is trimmed (what a form or a paste adds around a value,
 * line breaks included). What is left must be a single line of printable text:
 *   - C0 controls U+0000-U+001F: NUL fails in PostgreSQL (22021) only at INSERT;
 *     CR/LF split mail headers (`Name\r\nBcc: ...`); TAB has no place in a name;
 *   - DEL U+007F and the C1 controls U+0080-U+009F (U+0085 is NEL, a line break);
 *   - U+2028 and U+2029, the Unicode line and paragraph separators.
 * Other invisible characters (zero-width joiners, bidi marks) are allowed: scripts
 * such as Arabic, Hebrew and the Indic ones need them in ordinary names.
 */
// zod 4, whose schemas applications use; the CLI's configuration uses zod/v3, see src/config/config-schema.ts for why.
import { z } from 'zod';
import { pgVarchar } from './column-types';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const NOT_SINGLE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

const singleLine = (text: string, ctx: z.RefinementCtx<string>) => {
  const found = NOT_SINGLE_LINE.exec(text);
  if (!found) return;
  const codePoint = `U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  ctx.addIssue({ code: 'custom', message: `must be one line without control characters (found ${codePoint})` });
};

/** A varchar(length) of one printable line, trimmed, not empty. */
export const singleLineText = (length: number) => z.string().trim().min(1).superRefine(singleLine).pipe(pgVarchar(length));

/**
 * An email address, trimmed and lower-cased, then validated (format and length) as stored.
 * Lower-cased because `portal_users_email_key` compares case-sensitively: `A@B.CO` and
 * `a@b.co` would otherwise be two accounts for one mailbox.
 */
export const emailAddress = z.string().trim().toLowerCase().superRefine(singleLine).pipe(z.email().max(255));
