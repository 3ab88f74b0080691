/**
 * Splits SQL text into its statements at each `;` that is outside quotes and comments: '...' (and E'...', where a
 * backslash escapes), "...", dollar quotes ($$...$$, $tag$...$tag$, which hold function bodies with their own `;`),
 * `-- ...` to the end of the line, and `/* ... *\/` (nested, as PostgreSQL allows); and a routine's `BEGIN ATOMIC ...
 * END` body (AtomicBody). A statement starts at its first
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

  const body = new AtomicBody();
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
    if (/[A-Za-z_]/.test(ch) && !/[A-Za-z0-9_$]/.test(text[i - 1] ?? '')) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i, i + 64))![0];
      body.word(word);
      i += word.length;
      continue;
    }
    body.punctuation(ch);
    if (ch === ';' && start >= 0 && body.depth === 0) {
      statements.push({ sql: text.slice(start, i).trim(), line: startLine, terminated: true });
      start = -1;
      body.reset();
    }
    if (ch === '\n') line++;
    i++;
  }
  if (start >= 0) statements.push({ sql: text.slice(start).trim(), line: startLine, terminated: false });
  return statements;
}

/**
 * A function or procedure whose body is SQL-standard (`BEGIN ATOMIC ... END`) holds `;` of its own: psql's heuristic,
 * followed here. In a statement that starts CREATE [OR REPLACE] FUNCTION|PROCEDURE, outside parentheses, BEGIN opens a
 * block, CASE too within one, and END closes the innermost (found by review: such a body was cut at its first `;`).
 */
class AtomicBody {
  depth = 0;
  private words: string[] = [];
  private parens = 0;

  word(text: string): void {
    const w = text.toLowerCase();
    if (this.words.length < 4) this.words.push(w);
    const [a, b, c, d] = this.words;
    const routine = a === 'create' && (b === 'function' || b === 'procedure' || (b === 'or' && c === 'replace' && (d === 'function' || d === 'procedure')));
    if (!routine || this.parens > 0) return;
    if (w === 'begin') this.depth++;
    else if (w === 'case' && this.depth > 0) this.depth++;
    else if (w === 'end' && this.depth > 0) this.depth--;
  }

  punctuation(ch: string): void {
    if (ch === '(') this.parens++;
    else if (ch === ')' && this.parens > 0) this.parens--;
  }

  reset(): void {
    [this.depth, this.words, this.parens] = [0, [], 0];
  }
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
