/**
 * BENCHMARK-ONLY. Whether a backfill batch that is not its step's last may
 * commit without waiting for its WAL flush (docs/production-safety.md).
 *
 * With KONSTRUCT_BENCH_SYNC_BATCHES=1 in its environment, a run commits every
 * batch synchronously, as it did before the asynchronous commits: the
 * benchmark's latency sweep (bench/latency/) runs both ways on the same data to
 * measure what the asynchronous commits do to the application's latency (its
 * synchronous commits may wait on the flush of the batches' WAL). Not a user
 * option: nothing shows that a user needs the slower, synchronous form, and the
 * step's last batch already makes the step durable. Unset, it does nothing.
 */
export const SYNC_BATCHES_VARIABLE = 'KONSTRUCT_BENCH_SYNC_BATCHES';

/** Read once per batched step: false when the benchmark asked for synchronous batch commits. */
export function batchesMayCommitAsync(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[SYNC_BATCHES_VARIABLE] !== '1';
}
