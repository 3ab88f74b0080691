/**
 * The operations scenario in RESULTS.md (issue #20 item 6): per contender, run
 * by run, the time of `up`, the longest blocking lock hold, what the served
 * versions saw, and the errors of each version while served and after.
 */
import { APP_VERSIONS } from '../app-load/app-versions';
import { eachRun, formatMs } from '../format';
import { longestBlockingHold } from '../locks-by-phase';
import { worstRequestText } from '../worst-request-markdown';
import { longestBlocking, servedDuring, servedErrors } from './ops-measures';
import { OPS_CONTENDER_LABELS, OPS_CONTENDERS } from './ops-folders';
import type { OpsRun } from './ops-run';

export function opsSection(runs: OpsRun[], ratePerVersion: number): string[] {
  if (runs.length === 0) return [];
  const byContender = (contender: string) => runs.filter((r) => r.contender === contender);
  const rows = OPS_CONTENDERS.map((contender) => {
    const mine = byContender(contender);
    const errorsAfter = (version: 'old' | 'new') => eachRun('count', mine.map((r) => allErrors(r, version) - servedErrors(r, version)));
    const failed = mine.filter((r) => !r.ok).length;
    return `| ${OPS_CONTENDER_LABELS[contender]} | ${eachRun('ms', mine.map((r) => r.wallMs))} | ${mine.map(holdCell).join(' · ')} | ${eachRun('ms', mine.map((r) => servedDuring(r, 'p99Ms')))} | ${eachRun('ms', mine.map((r) => servedDuring(r, 'maxMs')))} | ${APP_VERSIONS.map((v) => eachRun('count', mine.map((r) => servedErrors(r, v)))).join(' | ')} | ${errorsAfter('old')} | ${failed === 0 ? 'none' : `**${failed}**`} |`;
  });
  const ours = byContender('operations');
  const plain = byContender('plain');
  const ratios = ours.flatMap((o) => {
    const p = plain.find((r) => r.round === o.round);
    return p ? [o.wallMs / p.wallMs] : [];
  });
  return [
    '### Operations: a rename, a type change and an index under both application versions (issue #20)',
    '',
    `One migration, \`007_rename_retype_index\`, on \`portal_users\` at 006: \`renameColumn\` \`name\` → \`display_name\`, \`alterColumn\` \`hashed_password\` \`varchar(255)\` → \`text\` (catalog-only), \`alterColumn\` \`updated_at\` \`timestamptz\` → \`timestamp\` (UTC, \`up\`/\`down\` \`AT TIME ZONE 'UTC'\`: it rewrites, so it goes through the new column \`konstruct_new_updated_at\`, filled by the backfill), \`createIndex\` on \`created_at\`. \`up\` runs it while the old version (reads and writes \`name\`, \`hashed_password\` and \`updated_at\`) and the new one (\`display_name\`, and \`updated_at\` by its name: its values fit both types) send ${ratePerVersion} requests per second each (7 reads, 2 updates, 1 insert in 10); the new version is rolled out once \`display_name\` becomes visible (expand's commit; the plain migration's commit). The same change as a plain migration (\`RENAME\`, two \`ALTER TYPE\`, the second rewriting the table, \`CREATE INDEX\`, in one transaction) runs the same way on a copy of the same data. Versions are judged where the schema serves them: the old one before and during expand and backfill (the plain migration: until it commits), the new one from the end of expand on; the old version's failures after contract are a deploy's expected end, listed apart.`,
    '',
    '| contender | `up` wall time, each run | longest hold of a lock that stops reads or writes, each run | app p99 during `up`, served versions | app max during `up`, served versions | old version errors while served | new version errors while served | old version errors after it is no longer served | failed runs |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |',
    ...rows,
    '',
    ratios.length > 0 ? `Operations' \`up\` over the plain migration's time, same round: ${eachRun('times', ratios)}. The plain migration blocks reads and writes for its whole transaction; the operations take their blocking locks only for catalog changes (expand, contract) and build the index \`CONCURRENTLY\`.` : '',
    `Phases of the operations' \`up\` (each ends at the commit of its last transaction; "(≤)": an upper bound): ${ours.map((r) => `round ${r.round + 1}: ${phaseLengths(r)}`).join('; ')}.`,
    ...slowestRequests(runs),
    ...failures(runs),
    '',
  ];
}

/** Beside each max: the slowest request of each served version, and what it waited on (times from the start of \`up\`). */
function slowestRequests(runs: OpsRun[]): string[] {
  const lines = runs.flatMap((r) =>
    APP_VERSIONS.filter((v) => r.worst?.[v]).map((v) => `- ${OPS_CONTENDER_LABELS[r.contender]}, round ${r.round + 1}, ${v} version: ${worstRequestText(r.worst[v])}`),
  );
  if (lines.length === 0) return [];
  return [
    '',
    "**What each max waited on** (per run and served version, its slowest request while the migration ran; times from the start of `up`; locks: the migration's on `portal_users` that overlapped the wait, from the lock sampler — ACCESS EXCLUSIVE stops a read, SHARE and stronger a write, held or queued ahead; the application's own sessions and row locks are not sampled; load average and CPU: this machine, sampled every 0.5 s):",
    '',
    ...lines,
  ];
}

function phaseLengths(run: OpsRun): string {
  return run.phases.map((p) => `${p.phase} ${formatMs(p.to - p.from)}${p.exact ? '' : ' (≤)'}`).join(', ');
}

/** Every error of a version, margins included: the margins and the phases do not overlap. */
function allErrors(run: OpsRun, version: 'old' | 'new'): number {
  const names = new Set<string>(['before', 'after', ...run.phases.map((p) => p.phase)]);
  return run.windows.filter((w) => names.has(w.name)).reduce((sum, w) => sum + w.versions[version].errors, 0);
}

function holdCell(run: OpsRun): string {
  const hold = longestBlockingHold(run.locks);
  return hold ? `${formatMs(longestBlocking(run))} (${hold.mode}, ${hold.phase})` : 'none seen';
}

function failures(runs: OpsRun[]): string[] {
  const failed = runs.filter((r) => !r.ok);
  return failed.length === 0 ? [] : ['', ...failed.map((r) => `- **Failed**: ${r.contender}, round ${r.round + 1}: ${r.failure}`)];
}
