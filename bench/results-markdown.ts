/** The benchmark's results as markdown: RESULTS.md, the README block and what stdout shows. */
import type { BenchResult } from './benchmark';
import type { Direction } from './contenders';
import { formatBytes, formatGrowth, formatMs, formatRatio, formatRows, formatTimeRatio } from './format';
import type { ContenderSummary, SizeResult } from './migration-bench';
import {
  checkTargets, directionChecks, GROWTH_TARGET, headline, LOCK_TARGET_MS, SPEED_UP_TARGET, STATUS_BARE_RATIO_TARGET, STATUS_RATIO_TARGET, statusBareMet, statusMet,
} from './targets';

export const CHART_FILE = 'migration-time.svg';
const yesNo = (met: boolean) => (met ? 'yes' : '**no**');

export function resultsMarkdown(result: BenchResult): string {
  const lines = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\`${commandOptions(result)} on ${result.environment.date.slice(0, 10)}; see [How it was measured](#how-it-was-measured).`,
    '',
    ...environmentTable(result),
    '',
    `## Revision 006 on ${formatRows(result.options.rows)} rows, and \`status\``,
    '',
    ...headlineTable(result),
    '',
    ...targetSummary(result),
    '',
    '## Migration time against rows',
    '',
    `![006 wall time against rows, konstruct-migrate and the seed's statements](${CHART_FILE})`,
    '',
    ...scalingTable(result),
    '',
    ...methodNotes(result),
  ];
  return `${lines.join('\n')}\n`;
}

type DirectionSummary = SizeResult['summary'][Direction];

/** What the README quotes, in five lines: the verdict with a link to the rest, then the headline numbers. */
export function readmeBlock(result: BenchResult, resultsLink: string): string {
  const env = result.environment;
  const { up, down } = headline(result).summary;
  const status = result.status;
  const speed = (d: DirectionSummary) => `${formatMs(d.ours.wallMs)} against ${formatMs(d.seed.wallMs)}`;
  const faster = (d: DirectionSummary) => formatTimeRatio(d.ours.wallMs, d.seed.wallMs).replace(/^.* \((.*)\)$/, '$1');
  const missed = checkTargets(result).filter((c) => !c.met);
  const verdict = missed.length === 0 ? 'All targets met.' : `Targets **not met**: ${missed.map((c) => c.what).join('; ')}.`;
  const bare = status.bareMedianMs === undefined ? '' : ` and ${formatRatio(status.oursMedianMs / status.bareMedianMs)}x a bare node + pg script reading knex_migrations`;
  return [
    `${verdict} Measured by \`npm run bench\` on ${env.date.slice(0, 10)}, ${env.machine} (load average ${env.loadAverage.toFixed(2)}), Node.js ${env.node}, PostgreSQL ${env.postgres}; medians of ${result.options.runs} runs (status: ${result.options.statusRuns}). Method, chart, every number: [${resultsLink}](${resultsLink}).`,
    `- Revision 006 on ${formatRows(result.options.rows)} rows: \`up\` ${speed(up)} for the seed's statements (${faster(up)}), \`down\` ${speed(down)} (${faster(down)}).`,
    `- AccessExclusiveLock on portal_users held ${formatLock(up.ours)} by \`up\` and ${formatLock(down.ours)} by \`down\`; the seed's statements hold it ${formatLock(up.seed)} and ${formatLock(down.seed)}.`,
    `- portal_users after \`up\`: ${formatBytes(up.ours.before.total)} → ${formatBytes(up.ours.after.total)} (${formatGrowth(up.ours.before.total, up.ours.after.total)}); the seed's statements: ${formatBytes(up.seed.after.total)} (${formatGrowth(up.seed.before.total, up.seed.after.total)}).`,
    `- \`status\`: ${formatMs(status.oursMedianMs)}, ${formatRatio(status.oursMedianMs / status.knexMedianMs)}x the stock knex CLI${bare}.`,
  ].join('\n');
}

function commandOptions(result: BenchResult): string {
  const o = result.options;
  const parts = [`--rows ${o.rows}`, `--sizes ${o.sizes.join(',')}`, `--runs ${o.runs}`, `--status-runs ${o.statusRuns}`];
  return ` (\`${parts.join(' ')}\`)`;
}

function environmentTable(result: BenchResult): string[] {
  const env = result.environment;
  const settings = Object.entries(env.settings).map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    '| | |',
    '| --- | --- |',
    `| machine | ${env.machine}; load average ${env.loadAverage.toFixed(2)} at the start |`,
    `| Node.js | ${env.node} |`,
    `| PostgreSQL | ${env.postgres}, ${env.server}; ${settings} |`,
    `| data | \`portal_users\` with ${formatRows(result.options.rows)} rows (1% admins) for the table; ${result.sizes.map((s) => formatRows(s.rows)).join(', ')} for the chart |`,
    `| runs | ${result.options.runs} per migration measurement and ${result.options.statusRuns} per status command, interleaved; medians shown |`,
  ];
}

function headlineTable(result: BenchResult): string[] {
  const size = headline(result);
  const status = result.status;
  return [
    "| measurement | konstruct-migrate | seed's statements | ours / seed | target | met |",
    '| --- | ---: | ---: | ---: | --- | :---: |',
    ...directionRows(size, 'up'),
    ...directionRows(size, 'down'),
    `| \`status\`, up-to-date database: wall time | ${formatMs(status.oursMedianMs)} | ${formatMs(status.knexMedianMs)} (stock \`knex migrate:status\`) | ${formatRatio(status.oursMedianMs / status.knexMedianMs)} | ≤ ${STATUS_RATIO_TARGET}x | ${yesNo(statusMet(result))} |`,
    ...(status.bareMedianMs === undefined
      ? []
      : [`| \`status\`, up-to-date database: wall time | ${formatMs(status.oursMedianMs)} | ${formatMs(status.bareMedianMs)} (bare \`node\` + \`pg\` script) | ${formatRatio(status.oursMedianMs / status.bareMedianMs)} | ≤ ${STATUS_BARE_RATIO_TARGET}x | ${yesNo(statusBareMet(result) === true)} |`]),
  ];
}

function directionRows(size: SizeResult, direction: Direction): string[] {
  const { ours, seed } = size.summary[direction];
  const met = directionChecks(size, direction);
  const sizeRow = (label: string, pick: 'total' | 'heap', isMet: boolean) => {
    const show = (s: ContenderSummary) => `${formatBytes(s.after[pick])} (${formatGrowth(s.before[pick], s.after[pick])})`;
    return `| \`${direction}\`: ${label} after (before: ${formatBytes(ours.before[pick])}) | ${show(ours)} | ${show(seed)} | ${formatRatio(ours.after[pick] / seed.after[pick])} | ≤ +${GROWTH_TARGET * 100}% | ${yesNo(isMet)} |`;
  };
  return [
    `| \`${direction}\`: wall time | ${formatMs(ours.wallMs)} | ${formatMs(seed.wallMs)} | ${formatTimeRatio(ours.wallMs, seed.wallMs)} | ≥ ${SPEED_UP_TARGET}x faster | ${yesNo(met.speed)} |`,
    `| \`${direction}\`: AccessExclusiveLock on portal_users held | ${formatLock(ours)} | ${formatLock(seed)} | ${formatRatio(ours.lockMs / seed.lockMs)} | < ${LOCK_TARGET_MS / 1000} s | ${yesNo(met.lock)} |`,
    sizeRow('portal_users total size', 'total', met.totalGrowth),
    sizeRow('portal_users heap size', 'heap', met.heapGrowth),
  ];
}

function formatLock(summary: ContenderSummary): string {
  const runs = summary.runs;
  if (summary.lockUnseenRuns === runs) return `< ${formatMs(summary.lockMs)} (too short to sample)`;
  const unseen = summary.lockUnseenRuns > 0 ? ` (${summary.lockUnseenRuns} of ${runs} runs too short to sample)` : '';
  return `${formatMs(summary.lockMs)}${unseen}`;
}

function targetSummary(result: BenchResult): string[] {
  const missed = checkTargets(result).filter((c) => !c.met);
  if (missed.length === 0) return ['All targets met.'];
  return ['Targets **not met** in this run:', '', ...missed.map((c) => `- ${c.what}`)];
}

function scalingTable(result: BenchResult): string[] {
  return [
    '| rows | `up`: konstruct-migrate | `up`: seed | ours / seed | `down`: konstruct-migrate | `down`: seed | ours / seed |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...result.sizes.map((s) => {
      const cells = (['up', 'down'] as const).flatMap((d) => {
        const { ours, seed } = s.summary[d];
        return [formatMs(ours.wallMs), formatMs(seed.wallMs), formatTimeRatio(ours.wallMs, seed.wallMs)];
      });
      return `| ${formatRows(s.rows)} | ${cells.join(' | ')} |`;
    }),
  ];
}

function methodNotes(result: BenchResult): string[] {
  const ends = new Set(result.sizes.flatMap((s) => Object.values(s.summary).flatMap((d) => Object.values(d).flatMap((c) => c.lockEnd))));
  const lockEnd = ends.has('sampled')
    ? `to the first sample that no longer saw the lock (up to ${result.options.lockSampleMs} ms late${ends.has('commit timestamp') ? '; exact commit timestamps where the server kept them' : ''})`
    : 'to its commit timestamp (`pg_xact_commit_timestamp`, exact: the server runs with `track_commit_timestamp`)';
  return [
    '## How it was measured',
    '',
    `- **Data.** For each row count, one database at the baseline (\`005\`, made by \`konstruct-migrate up --to 005\`) is filled with users, 1% of them admins, then frozen and analysed. Every measured run gets its own copy (\`CREATE DATABASE ... TEMPLATE\`), so both contenders start from byte-identical data; copies are dropped after each run. The copy (\`STRATEGY FILE_COPY\`) ends with a checkpoint, so the first change to each page writes a full-page image to the WAL, as it does on a production table that is mostly cold.`,
    '- **`down`** starts from one database at 006 made by konstruct-migrate\'s `up` from that data and then compacted (`VACUUM FULL`), as a table loaded at 006 would be. Both contenders revert copies of it.',
    '- **konstruct-migrate**: the built CLI (`node dist/src/cli/bin.js up`, or `down`, as `npx konstruct-migrate` runs it, with its code cache written by the runs that built the template databases) as a spawned process with `DATABASE_URL` set, timed from spawn to exit: process start, module loading, connecting, the migration and its history row.',
    "- **The seed's statements**: [`spec/alembic-006-upgrade.sql`](../../spec/alembic-006-upgrade.sql) and [`spec/alembic-006-downgrade.sql`](../../spec/alembic-006-downgrade.sql), the SQL Alembic emits for the seed's `upgrade()`/`downgrade()` (full-table `UPDATE` included, checked by a test to produce the same catalogs), sent in one transaction over a connection opened beforehand and timed from `BEGIN` to `COMMIT`: no interpreter, no tool, so the reference is, if anything, flattered.",
    `- **Lock**: a second connection samples \`pg_locks\` every ${result.options.lockSampleMs} ms for a granted \`AccessExclusiveLock\` on \`portal_users\`. A hold it sees is measured on the server's clock, never shorter than it was: from the start of the last sample that did not see the lock yet (\`statement_timestamp()\`, at most one interval before the lock was taken; or the transaction's \`xact_start\` if later) ${lockEnd}. The longest hold of a run is reported.`,
    '- **Sizes**: `pg_total_relation_size` (heap, indexes, TOAST) and `pg_relation_size` (heap) of `portal_users` right before and right after the migration, no `VACUUM` in between. After each run the data is checked (row count, admins) so a fast wrong migration cannot pass.',
    `- **\`status\`**: \`konstruct-migrate status\` against \`node --import tsx node_modules/knex/bin/cli.js migrate:status --knexfile knexfile.ts\` (the knex CLI needs a TypeScript loader for the project's knexfile) and against [\`bench/bare-status.cjs\`](../bare-status.cjs), node and pg reading \`knex_migrations\` and nothing else, all spawned on the same up-to-date database, one warm-up each, then ${result.options.statusRuns} round(s) running all three in rotated order.`,
    '- The machine may be shared: the load average at the start is in the table above; rerun on a quiet machine for numbers to quote.',
  ];
}
