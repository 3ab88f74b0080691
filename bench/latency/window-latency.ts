/**
 * The application's latency in one window, both versions together, for all
 * requests and for reads alone. A read takes no row lock, so it waits on
 * nothing the migration locks: its latency is the cost of CPU and I/O
 * contention alone; an update may also wait on a row a batch holds.
 */
import type { RequestRecord } from '../app-load/load-generator';
import { windowStats, type TimeWindow } from '../app-load/latency-windows';

export interface Latency {
  requests: number;
  errors: number;
  p99Ms: number;
  maxMs: number;
}

export interface WindowLatency {
  all: Latency;
  reads: Latency;
}

export function windowLatency(requests: RequestRecord[], startedAt: number, window: TimeWindow): WindowLatency {
  return {
    all: latencyOf(requests, startedAt, window),
    reads: latencyOf(requests.filter((r) => r.kind === 'read'), startedAt, window),
  };
}

/** p99 and max of the two versions' requests pooled: windowStats on a single merged version. */
function latencyOf(requests: RequestRecord[], startedAt: number, window: TimeWindow): Latency {
  const pooled = requests.map((r) => ({ ...r, version: 'old' as const }));
  const [stats] = windowStats(pooled, startedAt, [window]);
  const { requests: count, errors, p99Ms, maxMs } = stats!.versions.old;
  return { requests: count, errors, p99Ms, maxMs };
}
