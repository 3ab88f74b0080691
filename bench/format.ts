/** How numbers read in the results: milliseconds, sizes, ratios. */
const grouped = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const formatRows = (rows: number) => grouped(rows);

export function formatMs(ms: number): string {
  return ms < 10 ? `${grouped(ms, 1)} ms` : `${grouped(Math.round(ms))} ms`;
}

export function formatBytes(bytes: number): string {
  return bytes < 2 ** 20 ? `${grouped(bytes / 2 ** 10)} KiB` : `${grouped(bytes / 2 ** 20, 1)} MiB`;
}

export function formatGrowth(before: number, after: number): string {
  const percent = ((after - before) / before) * 100;
  return `${percent >= 0 ? '+' : ''}${grouped(percent, 1)}%`;
}

/** ours / reference, and what it means in words. */
export function formatTimeRatio(ours: number, reference: number): string {
  const ratio = ours / reference;
  const words = ratio <= 1 ? `${grouped(1 / ratio, 1)}x faster` : `${grouped(ratio, 1)}x slower`;
  return `${formatRatio(ratio)} (${words})`;
}

export function formatRatio(ratio: number): string {
  return ratio < 0.1 ? grouped(ratio, 3) : grouped(ratio, 2);
}

export type ValueKind = 'ms' | 'times' | 'count' | 'percent' | 'yes/no';

export function formatValue(kind: ValueKind, value: number): string {
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

export const minOf = (values: number[]) => Math.min(...values);
export const maxOf = (values: number[]) => Math.max(...values);
