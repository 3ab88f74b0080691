/**
 * The latency sweep's RESULTS.md: per variant, every run's backfill window
 * (the floor: its UPDATE) with the application's latency and what the machine
 * did meanwhile, then the medians side by side, and what they say against the
 * 50 ms target (issue #22 item 2), in words computed from the numbers.
 */
import { formatMs, formatRows } from '../format';
import { median } from '../median';
import { FLOOR, type SweepResult, type SweepRun } from './latency-sweep';
import type { ResourceWindow } from './resource-sampler';

const QUIET_MAX_TARGET_MS = 50;
/** Busier than this, on average, by processes outside the benchmark: the report calls the machine shared. */
const SHARED_MACHINE_CORES = 0.5;
const fixed = (n: number | undefined, digits = 1) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits));
const ms = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '–' : formatMs(n));

export function latencySweepMarkdown(result: SweepResult): string {
  const lines = [
    `# Backfill latency sweep, ${formatRows(result.rows)} rows`,
    '',
    `Written by \`${result.command}\`: ${result.rounds} round(s), load average ${result.loadAverage.start.toFixed(2)} at the start and ${result.loadAverage.end.toFixed(2)} at the end (a shared machine's latency follows it).`,
    '',
    ...serverLines(result),
    'Every run is under the benchmark\'s two-version load (100 requests/s per version, Node pg). Window: the backfill phase of `up` (the floor: its one `UPDATE`). p99 and max pool both versions; "reads" are the SELECTs alone, which take no row lock, so their latency is CPU and I/O contention only. WAL and full-page images from `pg_stat_wal`, checkpoints finished from `pg_stat_bgwriter`, CPU in cores busy on average (the server: postmaster and backends; load: this Node process, which runs the load generator and the samplers (no pgbench in this sweep); CLI: the spawned `konstruct-migrate`; other: the machine\'s busy cores less those three, i.e. processes outside the benchmark on a shared machine), sampled every 200 ms (a window is widened to the samples around it).',
    '',
    '## Medians per variant',
    '',
    '| variant | runs | backfill | `up` | p99 | max | reads p99 | reads max | WAL MB/s | full-page images | checkpoints | server cores | load cores | CLI cores | other processes\' cores | machine cores |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...result.variants.map((v) => medianRow(v.name, result.runs.filter((r) => r.variant === v.name && r.failure === null))),
    '',
    ...verdict(result),
    '',
    '## Every run, in run order',
    '',
    'Batches seen: the backfill\'s RowExclusiveLock holds on portal_users as the lock watch saw them (sampled every 5 ms: two batches a sample did not tell apart count as one), and the longest.',
    '',
    '| round | variant | backfill | batches seen (longest) | p99 | max | reads p99 | reads max | WAL MB | full-page images | checkpoints | server / load / CLI / other / machine cores | failure |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    ...result.runs.map(runRow),
    '',
  ];
  return lines.join('\n');
}

/** The machine's busy cores less the server's, this process's and the CLI's: processes outside the benchmark. */
export function otherCores(x: ResourceWindow): number {
  return Math.max(0, x.machineCores - x.serverCores - x.loadCores - x.cliCores);
}

function medianRow(name: string, runs: SweepRun[]): string {
  const m = (pick: (r: SweepRun) => number | undefined) => {
    const values = runs.map(pick).filter((v): v is number => v !== undefined && !Number.isNaN(v));
    return values.length > 0 ? median(values) : NaN;
  };
  return `| ${name} | ${runs.length} | ${ms(m((r) => r.backfillMs))} | ${ms(m((r) => r.wallMs))} | ${ms(m((r) => r.latency?.all.p99Ms))} | ${ms(m((r) => r.latency?.all.maxMs))} | ${ms(m((r) => r.latency?.reads.p99Ms))} | ${ms(m((r) => r.latency?.reads.maxMs))} | ${fixed(m((r) => r.resources?.walMBPerSecond))} | ${fixed(m((r) => r.resources?.fullPageImages), 0)} | ${fixed(m((r) => r.resources?.checkpoints), 0)} | ${fixed(m((r) => r.resources?.serverCores), 2)} | ${fixed(m((r) => r.resources?.loadCores), 2)} | ${fixed(m((r) => r.resources?.cliCores), 2)} | ${fixed(m((r) => (r.resources ? otherCores(r.resources) : undefined)), 2)} | ${fixed(m((r) => r.resources?.machineCores), 2)} of ${runs[0]?.resources?.cores ?? '–'} |`;
}

function runRow(r: SweepRun): string {
  const x = r.resources;
  const cores = x ? `${fixed(x.serverCores, 2)} / ${fixed(x.loadCores, 2)} / ${fixed(x.cliCores, 2)} / ${fixed(otherCores(x), 2)} / ${fixed(x.machineCores, 2)}` : '–';
  const batches = r.batches ? `${r.batches.seen} (${ms(r.batches.longestMs)})` : '–';
  return `| ${r.round + 1} | ${r.variant} | ${ms(r.backfillMs)} | ${batches} | ${ms(r.latency?.all.p99Ms)} | ${ms(r.latency?.all.maxMs)} | ${ms(r.latency?.reads.p99Ms)} | ${ms(r.latency?.reads.maxMs)} | ${fixed(x?.walMB)} | ${fixed(x?.fullPageImages, 0)} | ${fixed(x?.checkpoints, 0)} | ${cores} | ${r.failure ?? ''} |`;
}

/** The floor against the 50 ms target, and each variant against the floor, in one sentence each. */
export function verdict(result: SweepResult): string[] {
  const ok = (name: string) => result.runs.filter((r) => r.variant === name && r.failure === null && r.latency);
  const floor = ok(FLOOR);
  if (floor.length === 0) return ['The floor did not run, so no variant can be compared with it.'];
  const floorMax = median(floor.map((r) => r.latency!.all.maxMs));
  const floorP99 = median(floor.map((r) => r.latency!.all.p99Ms));
  const others = result.runs.flatMap((r) => (r.resources ? [otherCores(r.resources)] : []));
  const cores = result.runs.find((r) => r.resources)?.resources?.cores;
  const shared = others.length > 0 && median(others) > SHARED_MACHINE_CORES
    ? [`**A shared machine**: processes outside the benchmark kept a median ${median(others).toFixed(2)} of its ${cores} cores busy during the windows, so these numbers measure contention as much as the work; #22's targets are for the idle machine.`, '']
    : [];
  const lines = [
    ...shared,
    floorMax > QUIET_MAX_TARGET_MS
      ? `**The floor alone drives the application's max above ${QUIET_MAX_TARGET_MS} ms on this machine**: median max ${ms(floorMax)}, p99 ${ms(floorP99)} while one unbatched UPDATE of the admins runs, with no migration, trigger or batch.`
      : `The floor keeps the application's max under ${QUIET_MAX_TARGET_MS} ms on this machine: median max ${ms(floorMax)}, p99 ${ms(floorP99)}.`,
  ];
  for (const variant of result.variants.filter((v) => v.name !== FLOOR)) {
    const runs = ok(variant.name);
    if (runs.length === 0) continue;
    const p99 = median(runs.map((r) => r.latency!.all.p99Ms));
    const max = median(runs.map((r) => r.latency!.all.maxMs));
    const time = median(runs.map((r) => r.backfillMs)) / median(floor.map((r) => r.backfillMs));
    lines.push(`- ${variant.name}: median p99 ${ms(p99)} (${(p99 / floorP99).toFixed(2)}x the floor's), max ${ms(max)}, backfill ${time.toFixed(2)}x the floor's time.`);
  }
  return lines;
}

/** The server and its WAL and checkpoint settings (results from before they were recorded have none). */
function serverLines(result: SweepResult): string[] {
  if (!result.server) return [];
  const settings = Object.entries(result.server.settings).map(([name, value]) => `${name} ${value}`).join(', ');
  return [`Server: ${result.server.description}; ${settings}.`, ''];
}
