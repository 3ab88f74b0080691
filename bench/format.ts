/** How numbers read in the results: milliseconds, sizes, ratios, and a value per run. */
const grouped = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const formatRows = (rows: number) => grouped(rows);

export function formatMs(ms: number): string {
  return ms < 10 ? `${grouped(ms, 1)} ms` : `${grouped(Math.round(ms))} ms`;
}

export function formatBytes(bytes: number): string {
  return bytes < 2 ** 20 ? `${grouped(bytes / 2 ** 10)} KiB` : `${grouped(bytes / 2 ** 20, 1)} MiB`;
}

export type ValueKind = 'ms' | 'times' | 'count' | 'percent' | 'yes/no';

export function formatValue(kind: ValueKind, value: number): string {
  // A run that failed before it could measure (the rollout scenarios give NaN).
  if (Number.isNaN(value)) return '–';
  switch (kind) {
    case 'ms':
      return formatMs(value);
    case 'times':
      return `${grouped(value, 2)}x`;
    case 'count':
      return grouped(value);
    case 'percent':
      return `${value >= 0 ? '+' : ''}${grouped(value, 1)}%`;
    case 'yes/no':
      return value ? 'yes' : '**no**';
  }
}

/** Every run's value in run order, e.g. "812 ms · 790 ms · 1,004 ms". */
export function eachRun(kind: ValueKind, values: number[]): string {
  return values.length === 0 ? 'not measured' : values.map((v) => formatValue(kind, v)).join(' · ');
}

const measured = (values: number[]) => values.filter((v) => !Number.isNaN(v));
export const minOf = (values: number[]) => (measured(values).length > 0 ? Math.min(...measured(values)) : NaN);
export const maxOf = (values: number[]) => (measured(values).length > 0 ? Math.max(...measured(values)) : NaN);

/** The machine's 1-minute load average around the run; results.json files written before #27 have the start only, shown as before. */
export function loadAverageText(start: number, end: number | null | undefined): string {
  return end === null || end === undefined ? start.toFixed(2) : `${start.toFixed(2)} at the start, ${end.toFixed(2)} at the end`;
}
