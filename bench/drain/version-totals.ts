/** One version's requests summed over a whole run: how many, how many failed and how, and their latency. */
import type { RequestRecord } from '../app-load/load-generator';
import { percentile } from '../app-load/latency-windows';

export interface VersionTotals {
  requests: number;
  errors: number;
  p99Ms: number;
  maxMs: number;
  /** The distinct error messages, most frequent first (at most three). */
  errorMessages: string[];
}

export function versionTotals(requests: RequestRecord[]): VersionTotals {
  const latencies = requests.map((r) => r.ms).sort((a, b) => a - b);
  const counts = new Map<string, number>();
  for (const r of requests) if (r.error !== null) counts.set(r.error, (counts.get(r.error) ?? 0) + 1);
  return {
    requests: requests.length,
    errors: requests.filter((r) => r.error !== null).length,
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? 0,
    errorMessages: [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([message, n]) => `${message} (${n}x)`),
  };
}
