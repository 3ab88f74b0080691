/**
 * What the application saw in a window of the run (e.g. from the start of
 * expand to the start of contract): per version, how many requests, how many
 * failed and how, and the maximum and 99th-percentile latency.
 *
 * A request counts in a window when it was waiting or running during any of it
 * (a request stalled across a boundary is seen on both sides); an error counts
 * where it happened, at the moment the answer came back.
 */
import { APP_VERSIONS, type AppVersion } from './app-versions';
import type { RequestRecord } from './load-generator';

export interface TimeWindow {
  name: string;
  /** Milliseconds from the start of the migration (negative: before it). */
  from: number;
  to: number;
}

export interface ErrorGroup {
  message: string;
  count: number;
  /** When the first and the last came back, ms from the start of the migration. */
  firstAt: number;
  lastAt: number;
}

export interface VersionStats {
  /** Requests waiting or running during the window: one stalled across a boundary counts on both sides. */
  requests: number;
  /** Requests whose answer (or error) came back in the window: each counts in one window only. */
  answered: number;
  /** Of those answered, the ones that failed. */
  errors: number;
  maxMs: number;
  p99Ms: number;
  errorGroups: ErrorGroup[];
}

export interface WindowStats extends TimeWindow {
  versions: Record<AppVersion, VersionStats>;
}

/** `startedAt`: epoch ms of the migration's start, the zero of every window. */
export function windowStats(requests: RequestRecord[], startedAt: number, windows: TimeWindow[]): WindowStats[] {
  return windows.map((window) => ({
    ...window,
    versions: Object.fromEntries(
      APP_VERSIONS.map((version) => [version, versionStats(requests.filter((r) => r.version === version), startedAt, window)]),
    ) as Record<AppVersion, VersionStats>,
  }));
}

function versionStats(requests: RequestRecord[], startedAt: number, window: TimeWindow): VersionStats {
  const due = (r: RequestRecord) => r.dueAt - startedAt;
  const answered = (r: RequestRecord) => due(r) + r.ms;
  const seen = requests.filter((r) => due(r) < window.to && answered(r) >= window.from);
  const answeredHere = requests.filter((r) => answered(r) >= window.from && answered(r) < window.to);
  const failed = answeredHere.filter((r) => r.error !== null);
  const groups = new Map<string, ErrorGroup>();
  for (const r of failed) {
    const at = answered(r);
    const group = groups.get(r.error!) ?? { message: r.error!, count: 0, firstAt: at, lastAt: at };
    group.count++;
    group.firstAt = Math.min(group.firstAt, at);
    group.lastAt = Math.max(group.lastAt, at);
    groups.set(r.error!, group);
  }
  const latencies = seen.map((r) => r.ms).sort((a, b) => a - b);
  return {
    requests: seen.length,
    answered: answeredHere.length,
    errors: failed.length,
    maxMs: latencies.at(-1) ?? 0,
    p99Ms: percentile(latencies, 0.99),
    errorGroups: [...groups.values()].sort((a, b) => a.firstAt - b.firstAt),
  };
}

/** Nearest-rank percentile of ascending values; 0 for none. */
export function percentile(ascending: number[], p: number): number {
  if (ascending.length === 0) return 0;
  return ascending[Math.min(ascending.length - 1, Math.ceil(p * ascending.length) - 1)]!;
}
