/**
 * The replica-lag scenario in RESULTS.md (issue #22 item 5): per row count,
 * its targets run by run, every run's lag, backfill rate and throttle holds,
 * and how it was measured; or the one line saying why it did not run.
 */
import type { BenchResult } from '../benchmark';
import { eachRun, formatMs, formatRows } from '../format';
import { targetTable } from '../target-table';
import { pairedRounds, throughputShare, standbyTargets } from './standby-targets';
import type { StandbyResults } from './standby-scenario';
import type { StandbyRun } from './standby-run';

export function standbySections(result: BenchResult): string[] {
  return (result.standby ?? []).flatMap((s) => standbySection(s, result.load.ratePerVersion));
}

function standbySection(s: StandbyResults, ratePerVersion: number): string[] {
  const title = `## Replica lag with a streaming standby attached, ${formatRows(s.rows)} rows (issue #22 item 5)`;
  if (s.skipped) return [title, '', `The scenario was ${s.skipped}.`, ''];
  const on = s.runs.filter((r) => r.throttle);
  const off = s.runs.filter((r) => !r.throttle);
  const row = (what: string, pick: (r: StandbyRun) => string) => `| ${what} | ${on.map(pick).join(' · ') || '–'} | ${off.map(pick).join(' · ') || '–'} |`;
  const ms = (v: number | null) => (v === null ? '–' : formatMs(v));
  const rate = (v: number | null) => (v === null ? '–' : `${Math.round(v).toLocaleString('en-US')}/s`);
  return [
    title,
    '',
    `A streaming hot standby of the benchmark's server (a base backup taken with \`pg_basebackup\` in ${ms(s.attachMs)}, started with the embedded package's \`postgres\`, on the same machine), then in each round the new engine's \`up\` (default flags) on a fresh copy of the 005 data under the application load (${ratePerVersion} requests per second per version), once with the health throttle on (\`--max-replica-lag\` default, ${s.maxReplicaLagSeconds} s) and once off (\`--max-replica-lag 0\`), in alternating order. Before each run the standby has replayed everything. Its lag is sampled from the primary every ${s.sampleMs} ms as the throttle measures it (the larger of \`pg_stat_replication.replay_lag\` and the time since the primary's WAL was first seen past the standby's \`replay_lsn\`: a lower bound, off by at most one interval); p99 (nearest rank: with fewer than 100 samples it is the max) and max are over the samples inside the backfill phase. Throughput is the table's rows over the backfill phase's length. "Held" is the throttle's holds from \`up --json\` (\`result.throttled\`); "caught up" is how long the standby took, after \`up\` returned, to replay everything the primary had written.`,
    '',
    ...targetTable(standbyTargets(s)),
    '',
    '| each run, in round order | throttle on | throttle off |',
    '| --- | ---: | ---: |',
    row('lag p99 during the backfill', (r) => (r.backfillLag.samples > 0 ? formatMs(r.backfillLag.p99Ms) : '–')),
    row('lag max during the backfill', (r) => (r.backfillLag.samples > 0 ? formatMs(r.backfillLag.maxMs) : '–')),
    row('lag samples during the backfill', (r) => String(r.backfillLag.samples)),
    row('lag max during the whole `up`', (r) => formatMs(r.runLag.maxMs)),
    row('backfill phase', (r) => ms(r.backfillMs)),
    row('backfill throughput (rows)', (r) => rate(r.rowsPerSecond)),
    row('throttle held (holds)', (r) => `${formatMs(r.heldMs)} (${r.holds})`),
    row('`up`, spawn to exit', (r) => formatMs(r.wallMs)),
    row('standby caught up, after `up`', (r) => ms(r.caughtUpMs)),
    '',
    `Throughput on / off per round: ${eachRun('times', pairedRounds(s.runs).map(throughputShare))}.`,
    ...s.runs.filter((r) => !r.ok).map((r) => `- **Failed**: round ${r.round + 1}, throttle ${r.throttle ? 'on' : 'off'}: ${r.failure}`),
    '',
  ];
}
