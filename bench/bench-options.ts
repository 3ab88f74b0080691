/** `npm run bench -- [options]`: parsed and checked before anything starts. */
import path from 'node:path';
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** The row count of the headline table. */
  rows: number;
  /** Row counts of the chart (the headline count is always measured too). */
  sizes: number[];
  runs: number;
  statusRuns: number;
  lockSampleMs: number;
  /** Where RESULTS.md, the chart and results.json go; undefined = bench/results, and the README block too. */
  out?: string;
}

export const HUGE_ROWS = 10_000_000;
const MAX_WITHOUT_HUGE = 1_000_000;

export const USAGE = `Usage: npm run bench -- [options]

Measures revision 006 (up and down) by konstruct-migrate against the seed's own
statements on identical data, and \`status\` against the stock knex CLI.

Options:
  --rows <n>          rows in portal_users for the results table (default 1M)
  --sizes <list>      row counts for the chart (default 10k,100k,1M)
  --huge              also measure 10M rows (about 2.5 GB per database copy, minutes per run)
  --runs <n>          runs of each migration measurement, median reported (default 3)
  --status-runs <n>   runs of each status command (default 10)
  --lock-sample <ms>  pg_locks sampling interval (default 5)
  --out <dir>         write results there instead of bench/results (and leave README.md alone)
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
        'status-runs': { type: 'string', default: '10' },
        'lock-sample': { type: 'string', default: '5' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.help) return 'help';

  const rows = count('--rows', parsed.rows);
  const sizes = parsed.sizes.split(',').map((s) => count('--sizes', s.trim()));
  if (parsed.huge) sizes.push(HUGE_ROWS);
  const limit = parsed.huge ? HUGE_ROWS : MAX_WITHOUT_HUGE;
  const tooMany = [rows, ...sizes].find((n) => n > limit);
  if (tooMany !== undefined) {
    throw new UsageError(`${tooMany.toLocaleString('en-US')} rows is above ${limit.toLocaleString('en-US')}${parsed.huge ? '' : ': add --huge for up to 10M'}`);
  }
  return {
    rows,
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    runs: count('--runs', parsed.runs),
    statusRuns: count('--status-runs', parsed['status-runs']),
    lockSampleMs: count('--lock-sample', parsed['lock-sample']),
    out: parsed.out === undefined ? undefined : path.resolve(parsed.out),
  };
}

/** A positive whole number, with an optional k (thousand) or M (million) suffix. */
function count(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text);
  const factor = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 }[match?.[2] ?? ''] ?? 1;
  const value = match ? Number(match[1]) * factor : NaN;
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} expects a positive whole number (e.g. 20k, 1M), got "${text}"`);
  return value;
}
