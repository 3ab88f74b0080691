/**
 * Splits SQL text into its statements at each `;` that is outside quotes and comments: '...' (and E'...', where a
 * backslash escapes), "...", dollar quotes ($$...$$, $tag$...$tag$, which hold function bodies with their own `;`),
 * `-- ...` to the end of the line, and `/* ... *\/` (nested, as PostgreSQL allows). A statement starts at its first
 * character that is not blank or a comment, so comments between statements are left out; those inside one are kept.
 *
 * Used to read snapshot files (parse-catalog.ts) and by `check` to judge each statement of a migration that sends
 * several in one string.
 */

export interface SqlStatement {
  sql: string;
  /** The line the statement starts on, from 1. */
  line: number;
  /** Ended by a `;` (the last statement of a string may not be). */
  terminated: boolean;
}

export class SqlSplitError extends Error {}

/** The opening of a dollar-quoted string: `$$` or `$tag$`. */
const DOLLAR_TAG = /\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/y;

export function splitSql(text: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let line = 1;
  let start = -1; // where the current statement began; -1 between statements
  let startLine = 0;
  const lineAt = (from: number, to: number) => text.slice(from, to).split('\n').length - 1;
  /** Index just past the end of what opens at `i`, for a quote or comment; undefined for any other character. */
  const skip = (i: number): number | undefined => {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      return end < 0 ? text.length : end;
    }
    if (ch === '/' && next === '*') return blockCommentEnd(text, i, line);
    if (ch === "'") return quotedEnd(text, i, "'", /[eE]/.test(text[i - 1] ?? '') && !/[A-Za-z0-9_$]/.test(text[i - 2] ?? ''), line);
    if (ch === '"') return quotedEnd(text, i, '"', false, line);
    if (ch === '$' && !/[A-Za-z0-9_$]/.test(text[i - 1] ?? '')) {
      DOLLAR_TAG.lastIndex = i;
      const tag = DOLLAR_TAG.exec(text)?.[0];
      if (tag === undefined) return undefined;
      const end = text.indexOf(tag, i + tag.length);
      if (end < 0) throw new SqlSplitError(`line ${line}: ${tag} is never closed`);
      return end + tag.length;
    }
    return undefined;
  };

  for (let i = 0; i < text.length; ) {
    const ch = text[i]!;
    const end = skip(i);
    if (end !== undefined) {
      const isComment = ch === '-' || ch === '/';
      if (start < 0 && !isComment) [start, startLine] = [i, line];
      line += lineAt(i, end);
      i = end;
      continue;
    }
    if (start < 0 && !/\s/.test(ch)) [start, startLine] = [i, line];
    if (ch === ';' && start >= 0) {
      statements.push({ sql: text.slice(start, i).trim(), line: startLine, terminated: true });
      start = -1;
    }
    if (ch === '\n') line++;
    i++;
  }
  if (start >= 0) statements.push({ sql: text.slice(start).trim(), line: startLine, terminated: false });
  return statements;
}

function quotedEnd(text: string, at: number, quote: string, backslashEscapes: boolean, line: number): number {
  for (let i = at + 1; i < text.length; i++) {
    if (backslashEscapes && text[i] === '\\') i++;
    else if (text[i] === quote) {
      if (text[i + 1] !== quote) return i + 1;
      i++; // a doubled quote stands for one
    }
  }
  throw new SqlSplitError(`line ${line}: ${quote} is never closed`);
}

function blockCommentEnd(text: string, at: number, line: number): number {
  let depth = 0;
  for (let i = at; i < text.length - 1; i++) {
    if (text[i] === '/' && text[i + 1] === '*') [depth, i] = [depth + 1, i + 1];
    else if (text[i] === '*' && text[i + 1] === '/') {
      [depth, i] = [depth - 1, i + 1];
      if (depth === 0) return i + 1;
    }
  }
  throw new SqlSplitError(`line ${line}: /* is never closed`);
}
