/**
 * The drain gate in RESULTS.md (issue #23): what the write recorder costs the
 * application (item 3), and the rolling deploy with `complete --wait` (item 4),
 * run by run.
 */
import { APP_VERSIONS } from '../app-load/app-versions';
import { eachRun, formatMs, formatValue } from '../format';
import { worstRequestText } from '../worst-request-markdown';
import { DRAIN_TARGETS, WARM_UP_MS, type DrainCostRun, type RecorderSide } from './drain-cost';
import { verdictOf } from './ratio-statistics';
import type { RollingDeployRun } from './rolling-deploy';

const DRAIN_HEADING = "### What the drain gate's write recorder costs the application (issue #23 item 3)";

export function drainCostSection(runs: DrainCostRun[], ratePerVersion: number): string[] {
  if (runs.length === 0) return [];
  const plan = runs[0]!.plan;
  if (!plan) return [DRAIN_HEADING, '', 'Measured by an earlier version of this scenario (one A B B A round per run, no server-side measure): its table is in the git history of this file.', ''];
  const ok = runs.filter((r) => r.ok);
  const cell = (side: RecorderSide, version: 'old' | 'new', pick: 'p99Ms' | 'writesP99Ms' | 'maxMs') => eachRun('ms', ok.map((r) => r.sides[side].versions[version][pick]));
  const perVersion = ok.length > 0 ? ok[0]!.sides.recording.versions.old.requests : 0;
  return [
    DRAIN_HEADING,
    '',
    `006 brought to its expanded state (\`up --expand\`) on two copies of the same data; on one the drain triggers stay (an old-version update or insert of \`is_admin\` also upserts a counter row in \`konstruct_migration_drain\`), on the other they are dropped by name, and both are vacuumed. The copies then take the same load, both versions sending ${ratePerVersion} requests per second from the start, in ${plan.rounds} rounds of four ${plan.segmentSeconds} s segments, A B B A (B A A B in the next round), so a drift of the machine weighs on both sides alike; the first ${WARM_UP_MS} ms of each segment (fresh connections) are left out on both sides. Each round gives one ratio of p99s, with / without; "pooled" is the ratio over every round's requests (${formatValue('count', perVersion)} per version and side), and its 95 % interval comes from a bootstrap over the rounds (1,000 draws of ${plan.rounds} rounds with replacement). The verdict is the interval's: wholly within ${DRAIN_TARGETS.p99Ratio}x (met), wholly above (not met), across it (the noise hides a difference of that size: cannot tell), or wholly below ${formatValue('times', 1 / DRAIN_TARGETS.p99Ratio)} (biased: the side with the recorder faster by more than the target, which no cost makes; the copies differed by something the rounds did not cancel, and the run says nothing of the recorder). The server's measure below is the robust one.`,
    '',
    '| version | run | ratio of each round | median (min–max) | met in rounds | pooled | 95 % interval | verdict |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | --- |',
    ...APP_VERSIONS.flatMap((v) => ok.filter((r) => r.ratios).map((r) => ratioRow(v, r))),
    '',
    '| version | p99 with the recorder, each run | p99 without | writes p99 with | writes p99 without | max with | max without |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...APP_VERSIONS.map((v) => `| ${v} | ${cell('recording', v, 'p99Ms')} | ${cell('without', v, 'p99Ms')} | ${cell('recording', v, 'writesP99Ms')} | ${cell('without', v, 'writesP99Ms')} | ${cell('recording', v, 'maxMs')} | ${cell('without', v, 'maxMs')} |`),
    '',
    ...serverCost(ok, plan.explainRepetitions),
    `Old-shape writes the recorder counted, each run: ${eachRun('count', ok.map((r) => r.sides.recording.recordedWrites))}; drain triggers on \`portal_users\` with / without: ${ok.map((r) => `${r.sides.recording.triggers} / ${r.sides.without.triggers}`).join(' · ') || 'not measured'}.`,
    ...failures(runs),
    '',
  ];
}

function ratioRow(version: 'old' | 'new', run: DrainCostRun): string {
  const r = run.ratios![version];
  const x = (v: number) => formatValue('times', v);
  // From the interval, so results written before the 'biased' verdict read the same.
  const verdict = verdictOf(r.interval, DRAIN_TARGETS.p99Ratio);
  return `| ${version} | ${run.round + 1} | ${r.perRound.map(x).join(' · ')} | ${x(r.median)} (${x(r.min)}–${x(r.max)}) | ${r.metRounds} of ${r.perRound.length} | ${x(r.pooled)} | ${x(r.interval[0])}–${x(r.interval[1])} | ${verdict === 'met' ? 'met' : `**${verdict}**`} |`;
}

/** The server's own measure: EXPLAIN ANALYZE of the old version's writes with and without the triggers. */
function serverCost(runs: DrainCostRun[], repetitions: number): string[] {
  const measured = runs.filter((r) => r.server.length > 0);
  if (measured.length === 0) return [];
  const us = (ms: number) => `${Math.round(ms * 1000)} µs`;
  return [
    `**Measured by the server** (apart from the client's and the machine's noise): the old version's two writes that fire the recorder, run under \`EXPLAIN ANALYZE\` ${repetitions} times on each copy, alternating, each rolled back, as the old version (its \`application_name\`, so the counter row exists and the upsert updates it); medians of the execution time, and of the time charged to the recorder's triggers:`,
    '',
    '| write | run | execution with | execution without | difference | the recorder\'s triggers | the difference against the old version\'s p99 without the recorder, same run |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...measured.flatMap((r) => r.server.map((c) => `| ${c.statement === 'update' ? '`UPDATE … SET is_admin`' : '`INSERT … is_admin`'} | ${r.round + 1} | ${us(c.withMs)} | ${us(c.withoutMs)} | ${c.withMs >= c.withoutMs ? '+' : '-'}${us(Math.abs(c.withMs - c.withoutMs))} | ${us(c.recorderMs)} | ${formatValue('percent', ((c.withMs - c.withoutMs) / r.sides.without.versions.old.p99Ms) * 100)} |`)),
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
    '',
    "**What each max waited on** (per run and version, its slowest request of the whole run; times from the start of `up --expand`; locks: the migration's on `portal_users` that overlapped the wait, from the lock sampler; load average and CPU: this machine, sampled every 0.5 s):",
    '',
    ...runs.flatMap((r) => APP_VERSIONS.filter((v) => r.worst?.[v]).map((v) => `- round ${r.round + 1}, ${v} version: ${worstRequestText(r.worst[v])}`)),
    ...failures(runs),
    '',
  ];
}

function failures(runs: Array<{ ok: boolean; round: number; failure: string | null }>): string[] {
  const failed = runs.filter((r) => !r.ok);
  return failed.length === 0 ? [] : ['', ...failed.map((r) => `- **Failed**: round ${r.round + 1}: ${r.failure}`)];
}
