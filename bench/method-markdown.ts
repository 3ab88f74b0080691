/**
 * "How it was measured" in RESULTS.md: exactly what is timed and how, with the
 * numbers of this run (rates, intervals, admin counts) and links computed from
 * where the results are written.
 */
import path from 'node:path';
import { FLOOR_UPDATE } from './backfill-floor';
import type { BenchResult } from './benchmark';
import { TODAYS_ENGINE_FLAGS } from './contenders';
import { formatRows } from './format';
import { PACKAGE_ROOT } from './project-files';

export function methodSection(result: BenchResult, resultsDir: string): string[] {
  const link = (file: string) => `[\`${file}\`](${path.relative(resultsDir, path.join(PACKAGE_ROOT, file)).split(path.sep).join('/')})`;
  const o = result.options;
  const load = result.load;
  const lockEnd = result.environment.settings.track_commit_timestamp === 'on'
    ? 'to its commit timestamp (`pg_xact_commit_timestamp`, exact: the server runs with `track_commit_timestamp`) when the transaction wrote anything, else to the first sample that no longer saw it'
    : `to the first sample that no longer saw it (up to ${o.lockSampleMs} ms late: the server does not keep commit timestamps)`;
  return [
    '## How it was measured',
    '',
    `- **Data.** For each row count, one database at the baseline (\`005\`, made by \`konstruct-migrate up --to 005\`) is filled with users and then frozen and analysed: ${dataDescription(result)}. Every measured run gets its own copy (\`CREATE DATABASE ... TEMPLATE\`, \`STRATEGY FILE_COPY\`, which ends with a checkpoint, so the first change to each page writes a full-page image to the WAL, as on a production table that is mostly cold). \`down\` starts from a copy of one database brought to 006 by konstruct-migrate's \`up\` and then compacted (\`VACUUM FULL\`).`,
    `- **konstruct-migrate** (phased 006): \`node dist/src/cli/bin.js up\` (or \`down\`) with \`DATABASE_URL\` set and no other flag, spawned as a process and timed from spawn to exit: Node's start, loading the bundle (from the V8 code cache the template runs wrote), connecting, every phase (expand, backfill, contract) and the history row. The start-up of \`npx\` itself is not included; \`npx konstruct-migrate\` adds it.`,
    `- **Today's single-transaction 006**: the same command, with \`KONSTRUCT_MIGRATIONS_DIR\` naming a folder that holds the built 005 and ${link('bench/single-transaction-006/006_rbac_roles.ts')}, 006 as it was before it became phased (everything in one transaction), so the same CLI with the same defaults (lock timeout and retries) runs it. "All phases end to end / single-transaction 006" divides the two wall times of the same round.`,
    `- **Today's engine and the pgroll-style backfill** (issue #22, \`up\` only): the first is the konstruct-migrate command above with \`${TODAYS_ENGINE_FLAGS.join(' ')}\` (fixed batches; its phases are read like the new engine's); the second is ${link('bench/pgroll-style-backfill.ts')} spawned as a process of its own (\`node dist/bench/pgroll-style-process.js\`) and timed from spawn to exit like the CLI; it reports itself when its phases committed. **The backfill's floor** (${link('bench/backfill-floor.ts')}): once per round, on its own copy with \`role\` added as expand adds it, one \`${FLOOR_UPDATE}\` with no load, timed alone.`,
    `- **The seed's statements**: ${link('spec/alembic-006-upgrade.sql')} and ${link('spec/alembic-006-downgrade.sql')}, the SQL Alembic emits for the seed (full-table \`UPDATE\` included), sent in one transaction over a connection opened beforehand and timed from \`BEGIN\` to \`COMMIT\`: no interpreter, no tool, so the reference is, if anything, flattered.${seedNote(result)}`,
    `- **The application** (${link('bench/app-load/app-versions.ts')}, ${link('bench/app-load/load-generator.ts')}): an old version (reads and writes \`is_admin\`, inserts users with \`is_admin\`) and a new one (reads and writes \`role\`, inserts users with \`role\`), ${load.ratePerVersion} requests per second each, 7 reads by id, 2 updates by id and 1 insert in every 10, each version with its own pool of ${load.connectionsPerVersion} connections opened beforehand and \`statement_timeout\` ${load.statementTimeoutMs / 1000} s; a failed statement gives its connection back (${link('bench/app-load/pooled-request.ts')}), and the connections opened during the run are counted ("reconnects"). The old version sends from the start; the new one once expand has committed, when \`portal_users.role\` becomes visible (${link('bench/app-load/rollout.ts')}), except in the early-deploy scenario, where it sends from the start. Beside it, pgbench sends each version's reads and updates (7 to 2, no inserts, at the same rate of reads and updates, rows found by email; ${link('bench/app-load/pgbench-scripts.ts')}), its latency counted from each transaction's scheduled start; it logs completed transactions only. The load is open-loop: request k is due at start + k / rate whatever happened to earlier ones, and its latency counts from when it was due, so a stall shows as latency (and a queue), not as fewer requests. It starts ${load.marginMs / 1000} s before the migration (window "before") and runs until ${load.marginMs / 1000} s after it ends (window "after").`,
    `- **Windows.** The migration starts when its process is spawned (for the seed, at \`BEGIN\`) and ends when it exits. Each phase ends at the commit of its last transaction, read from the commit timestamp of the row version the engine writes to \`konstruct_migration_phases\` in that same transaction (sampled every ${o.lockSampleMs} ms; "(≤)" marks an end known only as an upper bound, when that version was replaced before a sample saw it). "Start of expand to start of contract" runs from the migration's start to the end of backfill; the new version is judged there only once expand has committed (before, \`role\` does not exist yet, so its errors during expand are expected and listed). A request counts in every window it was waiting or running in; an error counts in the window in which it came back. The latency targets take the versions the schema serves in each phase, as a rolling deploy runs them: the old version during expand, both during backfill, the new one during contract (for a single transaction: the old version until it commits); the tables also show every request of both versions.`,
    `- **Open application transaction**: an application transaction reads and updates one user, then stays open (idle in transaction, as a slow request) until ${load.openTransactionMs / 1000} s after it began, and commits; \`up\` is spawned as soon as it holds its locks. Its own duration is not counted as the application's latency.`,
    `- **Locks**: a second connection samples \`pg_locks\` every ${o.lockSampleMs} ms for locks on \`portal_users\`, leaving out the application's connections. Each (transaction, mode) it sees granted is a hold, measured on the server's clock, never shorter than it was: from the start of the last sample that did not see it (or the transaction's \`xact_start\`, if later) ${lockEnd}. A request not yet granted is a wait, from \`pg_locks.waitstart\`. A hold belongs to the phase in which it ended. SHARE and stronger modes stop the application's writes, ACCESS EXCLUSIVE its reads too; a hold shorter than the interval may go unseen.`,
    '- **Data checks.** After every `up` under load, each row is checked against the seed\'s mapping: template users nobody wrote to (admins by their number), the rows each version updated (the old version sets `is_admin = true`, the new one `role = \'customer_operator\'`, each on its own rows, so the final role is known whatever order they commit in), and every user each version inserted (its email carries the role it must end with). After `down`, row and admin counts. A run that fails a check, or whose migration fails, is reported as failed and meets none of its targets.',
    '- **Sizes**: `pg_total_relation_size` (heap, indexes, TOAST) and `pg_relation_size` (heap) of `portal_users` right before and right after the migration, no `VACUUM` in between; under load they include what the application wrote meanwhile.',
    statusMethod(result, link('bench/bare-status.cjs')),
    `- **Order.** \`status\` first; then, for each row count, largest first, rounds: each times the backfill's floor (when an engine with a backfill takes part), then runs \`up\` on a quiet table, then \`up\` with the open transaction, then \`down\`, each by every contender that takes part (\`--contenders\`), the order of the contenders alternating from round to round.${scenarioOrder(result)} The results are written after every round, so a run stopped part-way leaves the rounds it finished (marked partial).`,
    '- The machine may be shared: the load average at the start and the end is in the table above; rerun on a quiet machine for numbers to quote.',
  ];
}

/** Where the rollout scenarios fall in the run, when they ran. */
function scenarioOrder(result: BenchResult): string {
  const s = result.scenarios;
  if (!s) return '';
  const when = result.options.only ? 'In this run (`--only`) none of that ran, only' : `After the rounds at ${formatRows(s.rows)} rows (on their templates), or on templates of their own`;
  return ` ${when}: the rollout scenarios at ${formatRows(s.rows)} rows, in rounds of ${s.scenarios.join(', ')}${s.scenarios.includes('ops') ? ' (operations and the plain migration alternating first)' : ''}.`;
}

function statusMethod(result: BenchResult, bareScript: string): string {
  const knex = "`konstruct-migrate status` against `node --import tsx node_modules/knex/bin/cli.js migrate:status --knexfile knexfile.ts` (the knex CLI needs a TypeScript loader for the project's knexfile)";
  const runs = result.options.statusRuns;
  // Results written before the bare script was measured compare two commands only.
  if (!result.status.bareMs) return `- **\`status\`**: ${knex}, both spawned on the same up-to-date database, one warm-up each, then ${runs} interleaved run(s) each; each round's two times make one ratio.`;
  return `- **\`status\`**: ${knex} and against ${bareScript}, node and pg reading \`knex_migrations\` and nothing else, all spawned on the same up-to-date database, one warm-up each, then ${runs} round(s) running all three in an order rotated every round; each round gives one ratio against each reference.`;
}

/** Rows and admins per row count, as counted in the loaded data. */
export function dataDescription(result: BenchResult): string {
  return result.sizes
    .map((s) => `${formatRows(s.rows)} users of which ${formatRows(s.admins)} admins (${((100 * s.admins) / s.rows).toLocaleString('en-US', { maximumFractionDigits: 2 })}%)`)
    .join('; ');
}

function seedNote(result: BenchResult): string {
  const skipped = result.sizes.filter((s) => !s.runs.some((r) => r.side === 'seed'));
  const partial = result.sizes.filter((s) => {
    const seedRounds = new Set(s.runs.filter((r) => r.side === 'seed').map((r) => r.round)).size;
    return seedRounds > 0 && seedRounds < new Set(s.runs.map((r) => r.round)).size;
  });
  const notes = [];
  if (skipped.length > 0) notes.push(`not run at ${skipped.map((s) => formatRows(s.rows)).join(', ')} rows in this run (\`--seed-max-rows\`)`);
  if (partial.length > 0) notes.push(`run in the first ${result.options.seedRuns} round(s) only (\`--seed-runs\`) at ${partial.map((s) => formatRows(s.rows)).join(', ')} rows`);
  return notes.length > 0 ? ` The seed was ${notes.join('; ')}.` : '';
}
