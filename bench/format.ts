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
