/** Small pieces of regular expression source shared by any-spelling.ts and sql-literal-spellings.ts. */

/** How JSON.stringify writes `text` inside its quotes. */
export function jsonEscaped(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** `value` as hex digits, each letter matching either case. */
export function hexPattern(value: number, digits: number): string {
  return [...value.toString(16).padStart(digits, '0')].map((d) => (/[a-f]/.test(d) ? `[${d}${d.toUpperCase()}]` : d)).join('');
}

/** `text` matched literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
