/**
 * A plain aligned table: a header row and one line per row, columns separated
 * by two spaces, no trailing blanks. Cells are padded before they are coloured,
 * so escape codes never disturb the alignment and piped output is stable.
 */
import type { Style } from './colors';

export interface Column<Row> {
  header: string;
  value(row: Row): string;
  /** Colour for a cell; gets the padded text. */
  color?(text: string, row: Row, style: Style): string;
  align?: 'left' | 'right';
}

export function renderTable<Row>(rows: Row[], columns: Array<Column<Row>>, style: Style): string[] {
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const isLast = (i: number) => i === columns.length - 1;
  const pad = (text: string, i: number) => {
    if (columns[i]!.align === 'right') return text.padStart(widths[i]!);
    return isLast(i) ? text : text.padEnd(widths[i]!);
  };

  const header = columns.map((c, i) => pad(c.header, i)).join('  ').trimEnd();
  const body = rows.map((row, r) =>
    columns
      .map((c, i) => {
        const text = pad(cells[r]![i]!, i);
        return c.color ? c.color(text, row, style) : text;
      })
      .join('  ')
      .trimEnd(),
  );
  return [style.bold(header), ...body];
}
