/** `npm run bench -- [options]`: parsed and checked before anything starts. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SCENARIO_NAMES, type ScenarioName } from './scenario-names';
import { CONTENDER_NAMES, SIDES, type Side } from './contenders';

export interface BenchOptions {
  /** The row count of the headline table. */
  rows: number;
  /** Row counts of the chart (the headline count is always measured too). */
  sizes: number[];
  runs: number;
  /** Rounds at 10M rows (they take minutes each). */
  hugeRuns: number;
  /** Rounds that include the seed's statements (null: all), at sizes up to seedMaxRows (null: all). */
  seedRuns: number | null;
  seedMaxRows: number | null;
  /** Application requests per second, per version. */
  appRate: number;
  /** How long the open application transaction lasts, in seconds. */
  openTransactionSeconds: number;
  /** The load alone before and after each measured run, in ms: the 'before' and 'after' windows. */
  loadMarginMs: number;
  statusRuns: number;
  lockSampleMs: number;
  /** Also run `up` with the new version deployed before expand (reported apart). */
  earlyDeploy: boolean;
  /** Run pgbench beside the Node load (when it is installed). */
  pgbench: boolean;
  /** Who takes part, in SIDES order (--contenders; default: every one). */
  contenders: Side[];
  /** Where RESULTS.md, the charts and results.json go; undefined = bench/results. */
  out?: string;
  /** The rollout scenarios to run (rollout-scenarios.ts), at opsRows rows. */
  scenarios: ScenarioName[];
  /** --only: the scenarios alone, without 006's comparison, status and npx startup. */
  only: boolean;
  opsRows: number;
  drainRounds: number;
  drainSegmentSeconds: number;
  drainWindowSeconds: number;
  oldStopsAfterSeconds: number;
}

export const HUGE_ROWS = 10_000_000;
const MAX_WITHOUT_HUGE = 1_000_000;

export const USAGE = `Usage: npm run bench -- [options]

Measures revision 006 by konstruct-migrate (phased: expand, backfill, contract)
against today's single-transaction 006 and the seed's own statements on
identical data: \`up\` while an old and a new application version read and write
portal_users (on a quiet table, and with an application transaction held open),
\`down\` on an idle database; and \`status\` against the stock knex CLI and a bare node + pg script.
Beside the new engine, \`up\` also by today's engine (fixed 25,000-row batches)
and a pgroll-style backfill, each backfill against its floor (issue #22).

Options:
  --rows <n>          rows in portal_users for the offline table (default 1M)
  --sizes <list>      row counts for the chart (default 10k,100k,1M)
  --huge              also measure 10M rows (about 2.5 GB per database copy, minutes per run)
  --runs <n>          rounds of measurements per row count; every run is reported (default 3)
  --huge-runs <n>     rounds at 10M rows (default: --runs)
  --seed-runs <n>     rounds that include the seed's statements (default: all)
  --seed-max-rows <n> leave the seed's statements out above this row count
                      (default: no limit; they take ~5 min per direction at 10M)
  --app-rate <n>      application requests per second, per version (default 100)
  --open-transaction <s>  how long the application transaction stays open (default 8)
  --load-margin <ms>  the load alone before and after each run (default 1000)
  --status-runs <n>   runs of each status command (default 10)
  --lock-sample <ms>  pg_locks sampling interval (default 5)
  --early-deploy      also run \`up\` with the new version sending from the start,
                      before expand commits (reported apart)
  --no-pgbench        leave out pgbench, the second client beside the Node load
  --contenders <list> who runs 006, of: new (the new engine), today (today's
                      engine), pgroll (pgroll-style), single (single-transaction
                      006), seed (the seed's statements); default: all
  --out <dir>         write the results there instead of bench/results
                      (with --only: instead of bench/results/only)

Scenarios (all four by default, at --ops-rows rows, --runs rounds):
  ops                 a migration of operations (rename, type change, index)
                      against the same change as a plain migration (issue #20)
  drain-cost          the app's p99 in the expanded 006 with and without the
                      drain gate's write recorder (issue #23)
  rolling-deploy      up --expand, then complete --wait while the old version
                      drains (issue #23)
  standby             the new engine's up with a streaming standby attached,
                      health throttle on and off: the standby's replay lag and
                      the backfill's rate (issue #22; at --ops-rows, and at 10M
                      with --huge; needs pg_basebackup of the server's major)
  --only <list>       run only these scenarios (comma-separated), nothing else
  --no-ops, --no-drain-cost, --no-rolling-deploy, --no-standby   leave one out
  --ops-rows <n>      rows for the scenarios (default: --rows)
  --drain-rounds <n>  rounds of drain-cost, its two database copies loaded at
                      the same time, the recorder on one (default 10)
  --drain-segment <s> seconds of each round (default 10)
  --drain-window <s>  complete --drain-window in rolling-deploy (default 5)
  --old-stops-after <s>  seconds after complete starts that the old version
                      stops in rolling-deploy (default 5)
  -h, --help

Numbers accept k and M suffixes (20k, 1M). The server is a throwaway embedded
PostgreSQL, or the one BENCH_DATABASE_URL points at (a user allowed to create
databases and roles; every database it makes is named kbench_* and dropped, unless
the run is interrupted).`;

export class UsageError extends Error {}

export function parseBenchOptions(argv: string[]): BenchOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        rows: { type: 'string', default: '1M' },
        sizes: { type: 'string', default: '10k,100k,1M' },
        huge: { type: 'boolean', default: false },
        runs: { type: 'string', default: '3' },
        'huge-runs': { type: 'string' },
        'seed-runs': { type: 'string' },
        'seed-max-rows': { type: 'string' },
        'app-rate': { type: 'string', default: '100' },
        'open-transaction': { type: 'string', default: '8' },
        'load-margin': { type: 'string', default: '1000' },
        'status-runs': { type: 'string', default: '10' },
        'lock-sample': { type: 'string', default: '5' },
        'early-deploy': { type: 'boolean', default: false },
        'no-pgbench': { type: 'boolean', default: false },
        contenders: { type: 'string' },
        out: { type: 'string' },
        only: { type: 'string' },
        'no-ops': { type: 'boolean', default: false },
        'no-drain-cost': { type: 'boolean', default: false },
        'no-rolling-deploy': { type: 'boolean', default: false },
        'no-standby': { type: 'boolean', default: false },
        'ops-rows': { type: 'string' },
        'drain-rounds': { type: 'string', default: '10' },
        'drain-segment': { type: 'string', default: '10' },
        'drain-window': { type: 'string', default: '5' },
        'old-stops-after': { type: 'string', default: '5' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.help) return 'help';

  const rows = count('--rows', parsed.rows);
  // The scenarios follow --rows unless told: a quick run stays quick.
  const opsRows = parsed['ops-rows'] === undefined ? rows : count('--ops-rows', parsed['ops-rows']);
  const sizes = parsed.sizes.split(',').map((s) => count('--sizes', s.trim()));
  if (parsed.huge) sizes.push(HUGE_ROWS);
  const limit = parsed.huge ? HUGE_ROWS : MAX_WITHOUT_HUGE;
  const tooMany = [rows, opsRows, ...sizes].find((n) => n > limit);
  if (tooMany !== undefined) {
    throw new UsageError(`${tooMany.toLocaleString('en-US')} rows is above ${limit.toLocaleString('en-US')}${parsed.huge ? '' : ': add --huge for up to 10M'}`);
  }
  const runs = count('--runs', parsed.runs);
  return {
    rows,
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    runs,
    hugeRuns: parsed['huge-runs'] === undefined ? runs : count('--huge-runs', parsed['huge-runs']),
    seedRuns: parsed['seed-runs'] === undefined ? null : count('--seed-runs', parsed['seed-runs'], 0),
    seedMaxRows: parsed['seed-max-rows'] === undefined ? null : count('--seed-max-rows', parsed['seed-max-rows']),
    appRate: count('--app-rate', parsed['app-rate']),
    openTransactionSeconds: count('--open-transaction', parsed['open-transaction']),
    loadMarginMs: count('--load-margin', parsed['load-margin']),
    statusRuns: count('--status-runs', parsed['status-runs']),
    lockSampleMs: count('--lock-sample', parsed['lock-sample']),
    earlyDeploy: parsed['early-deploy'],
    pgbench: !parsed['no-pgbench'],
    contenders: parsed.contenders === undefined ? [...SIDES] : contenders(parsed.contenders),
    out: parsed.out === undefined ? undefined : path.resolve(parsed.out),
    scenarios: scenariosFrom(parsed),
    only: parsed.only !== undefined,
    opsRows,
    drainRounds: count('--drain-rounds', parsed['drain-rounds']),
    drainSegmentSeconds: count('--drain-segment', parsed['drain-segment']),
    drainWindowSeconds: count('--drain-window', parsed['drain-window']),
    oldStopsAfterSeconds: count('--old-stops-after', parsed['old-stops-after']),
  };
}

/** --only names the scenarios to run; otherwise all of them but those left out with --no-<name>. */
function scenariosFrom(parsed: { only?: string } & Record<string, unknown>): ScenarioName[] {
  if (parsed.only === undefined) return SCENARIO_NAMES.filter((name) => !parsed[`no-${name}`]);
  const names = parsed.only.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !SCENARIO_NAMES.includes(n as ScenarioName));
  if (unknown.length > 0 || names.length === 0) throw new UsageError(`--only expects some of ${SCENARIO_NAMES.join(', ')}, got "${parsed.only}"`);
  if (SCENARIO_NAMES.some((name) => parsed[`no-${name}`])) throw new UsageError('--only and --no-<scenario> do not go together: name the scenarios to run');
  return SCENARIO_NAMES.filter((name) => names.includes(name));
}

/** `new,today,pgroll` -> the sides, in SIDES order. */
function contenders(text: string): Side[] {
  const wanted = new Set<Side>();
  for (const name of text.split(',').map((n) => n.trim())) {
    const side = Object.hasOwn(CONTENDER_NAMES, name) ? CONTENDER_NAMES[name] : undefined;
    if (!side) throw new UsageError(`--contenders: unknown contender "${name}"; give some of new, today, pgroll, single, seed`);
    wanted.add(side);
  }
  return SIDES.filter((side) => wanted.has(side));
}

/** A whole number of at least `min` (default 1), with an optional k (thousand) or M (million) suffix. */
export function count(flag: string, text: string, min = 1): number {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text);
  const factor = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 }[match?.[2] ?? ''] ?? 1;
  const value = match ? Number(match[1]) * factor : NaN;
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(`${flag} expects a ${min === 0 ? 'non-negative' : 'positive'} whole number (e.g. 20k, 1M), got "${text}"`);
  }
  return value;
}
