/**
 * The application's latency over a run, for the chart: per version, the
 * slowest request due in each short bucket of time, and how many failed. At
 * most ~300 buckets per run, so results.json stays small at any run length.
 */
import type { AppVersion } from './app-versions';
import type { RequestRecord } from './load-generator';

export interface TimelineBucket {
  /** Start of the bucket, ms from the start of the migration. */
  at: number;
  maxMs: Record<AppVersion, number>;
  errors: Record<AppVersion, number>;
}

const MIN_BUCKET_MS = 100;
const MAX_BUCKETS = 300;

export function latencyTimeline(requests: RequestRecord[], startedAt: number): TimelineBucket[] {
  if (requests.length === 0) return [];
  const first = requests[0]!.dueAt - startedAt;
  const last = requests.at(-1)!.dueAt - startedAt;
  const width = Math.max(MIN_BUCKET_MS, Math.ceil((last - first) / MAX_BUCKETS / MIN_BUCKET_MS) * MIN_BUCKET_MS);
  const buckets = new Map<number, TimelineBucket>();
  for (const r of requests) {
    const at = Math.floor((r.dueAt - startedAt) / width) * width;
    let bucket = buckets.get(at);
    if (!bucket) {
      bucket = { at, maxMs: { old: 0, new: 0 }, errors: { old: 0, new: 0 } };
      buckets.set(at, bucket);
    }
    bucket.maxMs[r.version] = Math.max(bucket.maxMs[r.version], Math.round(r.ms * 10) / 10);
    if (r.error !== null) bucket.errors[r.version]++;
  }
  return [...buckets.values()].sort((a, b) => a.at - b.at);
}
