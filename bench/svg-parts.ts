/** Plain-SVG building blocks shared by the benchmark's charts (no dependency). */

export interface Scale {
  at: (value: number) => number;
  ticks: Array<{ value: number; at: number }>;
}

/** Ticks at the data values (x) or at the powers of ten spanning them (y). */
export function logScale(values: number[], from: number, to: number, powersOfTen: boolean): Scale {
  let lo = Math.log10(Math.min(...values));
  let hi = Math.log10(Math.max(...values));
  if (powersOfTen) {
    lo = Math.floor(lo);
    hi = Math.max(Math.ceil(hi), lo + 1);
  } else if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  } else {
    const pad = (hi - lo) * 0.06;
    lo -= pad;
    hi += pad;
  }
  const at = (value: number) => from + ((Math.log10(value) - lo) / (hi - lo)) * (to - from);
  const tickValues = powersOfTen
    ? Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i))
    : [...new Set(values)];
  return { at, ticks: tickValues.map((value) => ({ value, at: at(value) })) };
}

export const line = (x1: number, y1: number, x2: number, y2: number, stroke: string) =>
  `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" stroke="${stroke}"/>`;

export const text = (x: number, y: number, content: string, anchor: 'start' | 'middle' | 'end', size?: number) =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" text-anchor="${anchor}"${size ? ` font-size="${size}"` : ''}>${escape(content)}</text>`;

export const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function formatTime(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : ms >= 1 ? `${ms} ms` : `${ms * 1000} µs`;
}
