/**
 * Whether a backfill batch that is not its step's last may commit without
 * waiting for its WAL flush. By default it may not: every batch commits
 * synchronously.
 *
 * Asynchronous batch commits were the default for a day (2026-12-07). They made the
 * backfill faster and the application slower: at 10M rows on the idle machine
 * (bench/results/2026-12-07-latency-10M-idle, two rounds, same data), the
 * application's reads, which take no lock, had a p99 of 98 / 179 ms during the
 * backfill with them and 14 / 8 ms without; all requests 152 / 199 ms against
 * 100 / 89 ms; the backfill took 1.27x the floor's time against 1.57x. The
 * likely reason, not shown: a backend that must evict a dirty buffer first
 * flushes the WAL up to that page's change, so the application's reads paid
 * for the flushes the batches skipped. What users feel comes first.
 *
 * BENCHMARK-ONLY: with KONSTRUCT_BENCH_ASYNC_BATCHES=1 in its environment a run
 * commits every batch but its step's last asynchronously, so the latency sweep
 * (bench/latency/) can still measure both ways. Not a user option.
 */
export const ASYNC_BATCHES_VARIABLE = 'KONSTRUCT_BENCH_ASYNC_BATCHES';

/** Read once per batched step: true only when the benchmark asked for asynchronous batch commits. */
export function batchesMayCommitAsync(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[ASYNC_BATCHES_VARIABLE] === '1';
}
