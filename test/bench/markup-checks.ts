/** Structural checks of the benchmark's markdown and SVG (shapes, not numbers). */

/** The markdown tables of a document: blocks whose lines all start with `|`. */
export function markdownTables(markdown: string): string[][] {
  return markdown
    .split('\n\n')
    .map((block) => block.trim().split('\n'))
    .filter((lines) => lines.every((line) => line.startsWith('|')));
}

/** Rows whose cell count differs from the header's, or a missing separator row: empty when well-formed. */
export function malformedRows(table: string[]): string[] {
  const cells = (row: string) => row.split(' | ').length;
  const problems = table.filter((row) => cells(row) !== cells(table[0]!));
  if (!/^\| [-: |]+ \|$/.test(table[1] ?? '')) problems.push(`separator: ${table[1]}`);
  return problems;
}

/** Tags opened and never closed, or closed out of order: empty for well-formed markup. */
export function unbalancedTags(markup: string): string[] {
  const stack: string[] = [];
  const problems: string[] = [];
  for (const [, closing, name, selfClosing] of markup.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (selfClosing) continue;
    if (!closing) stack.push(name!);
    else if (stack.pop() !== name) problems.push(`</${name}>`);
  }
  return [...problems, ...stack];
}

/** Markdown without its fenced code blocks and inline code spans, where `[x](y)` is not a link. */
function withoutCode(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The targets of a document's links and images, as written (`path`, `path#anchor`, `#anchor`, `https://...`). */
export function linkTargets(markdown: string): string[] {
  return [...withoutCode(markdown).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

/** The anchors GitHub gives a document's headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingAnchors(markdown: string): string[] {
  const seen = new Map<string, number>();
  return [...markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)].map((m) => {
    const slug = m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    return count === 0 ? slug : `${slug}-${count}`;
  });
}
