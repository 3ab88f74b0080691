/**
 * The drain gate in RESULTS.md (issue #23): what the write recorder costs the
 * application (item 3), and the rolling deploy with `complete --wait` (item 4),
 * run by run.
 */
import { APP_VERSIONS } from '../app-load/app-versions';
import { eachRun, formatMs } from '../format';
import type { DrainCostRun, RecorderSide } from './drain-cost';
import { p99Ratio } from './drain-targets';
import type { RollingDeployRun } from './rolling-deploy';

export function drainCostSection(runs: DrainCostRun[], seconds: number, ratePerVersion: number): string[] {
  if (runs.length === 0) return [];
  const ok = runs.filter((r) => r.ok);
  const cell = (side: RecorderSide, version: 'old' | 'new', pick: 'p99Ms' | 'writesP99Ms' | 'maxMs') => eachRun('ms', ok.map((r) => r.sides[side].versions[version][pick]));
  return [
    '### What the drain gate\'s write recorder costs the application (issue #23 item 3)',
    '',
    `006 brought to its expanded state (\`up --expand\`) on two copies of the same data; on one the drain triggers stay (an old-version update or insert of \`is_admin\` also upserts a counter row in \`konstruct_migration_drain\`), on the other they are dropped by name, and both are vacuumed. Each copy then takes the same load, both versions sending ${ratePerVersion} requests per second from the start, for ${seconds} s in all, in four segments of ${seconds / 2} s, A B B A (B A A B in the next round), so a drift of the machine weighs on both sides alike. p99 is over every request of the version on that side (${Math.round(seconds * ratePerVersion)} per version), "writes" over its updates and inserts alone. At this level a difference of a few percent is within the noise of one window on a shared machine: read the spread over several rounds (\`--runs\`), and prefer longer windows (\`--drain-seconds\`).`,
    '',
    '| version | p99 with the recorder, each run | p99 without | with / without | writes p99 with | writes p99 without | max with | max without |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...APP_VERSIONS.map((v) => `| ${v} | ${cell('recording', v, 'p99Ms')} | ${cell('without', v, 'p99Ms')} | ${eachRun('times', ok.map((r) => p99Ratio(r, v)))} | ${cell('recording', v, 'writesP99Ms')} | ${cell('without', v, 'writesP99Ms')} | ${cell('recording', v, 'maxMs')} | ${cell('without', v, 'maxMs')} |`),
    '',
    `Old-shape writes the recorder counted, each run: ${eachRun('count', ok.map((r) => r.sides.recording.recordedWrites))}; drain triggers on \`portal_users\` with / without: ${ok.map((r) => `${r.sides.recording.triggers} / ${r.sides.without.triggers}`).join(' · ') || 'not measured'}.`,
    ...failures(runs),
    '',
  ];
}

export function rollingDeploySection(runs: RollingDeployRun[], drainWindowSeconds: number, oldStopsAfterSeconds: number): string[] {
  if (runs.length === 0) return [];
  // Signed: a negative gap is the ordering the gate must prevent, shown as it was.
  const ms = (values: Array<number | null>) => values.map((v) => (v === null ? '–' : v < 0 ? `-${formatMs(-v)}` : formatMs(v))).join(' · ');
  const version = (v: 'old' | 'new') => `${eachRun('count', runs.map((r) => r.versions[v].errors))} (of ${eachRun('count', runs.map((r) => r.versions[v].requests))}) | ${eachRun('ms', runs.map((r) => r.versions[v].p99Ms))} | ${eachRun('ms', runs.map((r) => r.versions[v].maxMs))}`;
  const errors = runs.flatMap((r) => APP_VERSIONS.flatMap((v) => r.versions[v].errorMessages.map((m) => `- round ${r.round + 1}, ${v} version: \`${m.replace(/`/g, "'")}\``)));
  return [
    '### Rolling deploy with `complete --wait` (issue #23 item 4)',
    '',
    `The recipe of \`docs/online-migrations.md\` ("The rolling deploy") under load, on a copy of the 005 data: \`up --expand\` while the old version sends (the new one rolled out once \`role\` is visible); as soon as it returns, \`complete --wait --drain-window ${drainWindowSeconds} --old-version '<the old version's application_name>'\` starts while the old version is still sending; ${oldStopsAfterSeconds} s later the old version is retired (it stops sending, its last requests are answered and its connections closed), as a finished rollout. The contract's start is the first lock on \`portal_users\` taken after \`complete\` was spawned (sampled from \`pg_locks\`). Errors count every request of the run, margins included.`,
    '',
    '| measurement | each run |',
    '| --- | ---: |',
    `| \`up --expand\`, spawn to exit | ${eachRun('ms', runs.map((r) => r.expandMs))} |`,
    `| \`complete --wait\`, spawn to exit | ${eachRun('ms', runs.map((r) => r.completeMs))} |`,
    `| \`complete\` waited: its spawn to the contract's first lock | ${ms(runs.map((r) => r.waitedMs))} |`,
    `| the old version's last answer, after \`complete\` started | ${ms(runs.map((r) => r.oldActiveAfterCompleteMs))} |`,
    `| the contract's first lock, after the old version's last answer | ${ms(runs.map((r) => r.contractAfterOldMs))} |`,
    '',
    '| version | errors (of requests), each run | p99, each run | max, each run |',
    '| --- | ---: | ---: | ---: |',
    `| old | ${version('old')} |`,
    `| new | ${version('new')} |`,
    '',
    ...(errors.length > 0 ? ['Errors:', '', ...errors] : ['No request of either version failed.']),
    ...failures(runs),
    '',
  ];
}

function failures(runs: Array<{ ok: boolean; round: number; failure: string | null }>): string[] {
  const failed = runs.filter((r) => !r.ok);
  return failed.length === 0 ? [] : ['', ...failed.map((r) => `- **Failed**: round ${r.round + 1}: ${r.failure}`)];
}
