/**
 * The drain gate in RESULTS.md (issue #23): what the write recorder costs the
 * application (item 3), and the rolling deploy with `complete --wait` (item 4),
 * run by run.
 */
import { APP_VERSIONS } from '../app-load/app-versions';
import { eachRun, formatMs, formatValue } from '../format';
import { worstRequestText } from '../worst-request-markdown';
import { COPIES, type Copy, type RecorderSide } from './crossed-rounds';
import { DRAIN_TARGETS, type DrainCostPlan, type DrainCostRun, type DrainSegment } from './drain-cost';
import { verdictOf, type PooledRatio } from './ratio-statistics';
import { WARM_UP_MS } from './simultaneous-load';
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
    methodOf(ok)(plan, ratePerVersion, perVersion),
    '',
    '| version | run | ratio of each round | median (min–max) | met in rounds | pooled | 95 % interval | verdict |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | --- |',
    ...APP_VERSIONS.flatMap((v) => ok.filter((r) => r.ratios).map((r) => ratioRow(v, r))),
    '',
    '| version | p99 with the recorder, each run | p99 without | writes p99 with | writes p99 without | max with | max without |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...APP_VERSIONS.map((v) => `| ${v} | ${cell('recording', v, 'p99Ms')} | ${cell('without', v, 'p99Ms')} | ${cell('recording', v, 'writesP99Ms')} | ${cell('without', v, 'writesP99Ms')} | ${cell('recording', v, 'maxMs')} | ${cell('without', v, 'maxMs')} |`),
    '',
    ...copyEffect(ok),
    ...serverCost(ok, plan.explainRepetitions),
    `Old-shape writes the recorder counted, each run: ${eachRun('count', ok.map((r) => r.sides.recording.recordedWrites))}; drain triggers on \`portal_users\` with / without: ${ok.map((r) => `${r.sides.recording.triggers} / ${r.sides.without.triggers}`).join(' · ') || 'not measured'}.`,
    ...failures(runs),
    '',
  ];
}

const verdictText = (differed: 'copies' | 'sides') => `The verdict is the interval's: wholly within ${DRAIN_TARGETS.p99Ratio}x (met), wholly above (not met), across it (the noise hides a difference of that size: cannot tell), or wholly below ${formatValue('times', 1 / DRAIN_TARGETS.p99Ratio)} (biased: the side with the recorder faster by more than the target, which no cost makes; the ${differed} differed by something the rounds did not cancel, and the run says nothing of the recorder). The server's measure below is the robust one.`;

type Method = (plan: DrainCostPlan, ratePerVersion: number, perVersion: number) => string;

/** The design the runs were measured with: results written by earlier designs keep their own description. */
function methodOf(runs: DrainCostRun[]): Method {
  const segments: DrainSegment[] = runs.flatMap((r) => r.segments ?? []);
  if (segments.some((s) => s.firstDueAt !== undefined)) return simultaneousMethod;
  return segments.length > 0 ? sequentialCrossedMethod : fixedCopiesMethod;
}

const MOVING_RECORDER = "006 brought to its expanded state (`up --expand`) on two copies of the same data, x and y, both vacuumed. The recorder's triggers (an old-version update or insert of `is_admin` also upserts a counter row in `konstruct_migration_drain`) stand on one copy at a time: between rounds they are dropped by name from one and created again on the other, as `up --expand` made them.";
const CARRIERS = 'the recorder is on copy x in rounds 1, 4, 5, 8, … and on copy y in rounds 2, 3, 6, 7, …';

const pooledText = (plan: DrainCostPlan, perVersion: number) =>
  `Each round gives one ratio of p99s, with / without; "pooled" is the ratio over every round's requests (${formatValue('count', perVersion)} per version and side), and its 95 % interval comes from a bootstrap over the rounds (1,000 draws of ${plan.rounds} rounds with replacement, within each copy's rounds as carrier, so every draw stays crossed). ${verdictText('sides')}`;

function simultaneousMethod(plan: DrainCostPlan, ratePerVersion: number, perVersion: number): string {
  return `${MOVING_RECORDER} In each of ${plan.rounds} rounds of ${plan.segmentSeconds} s, both copies take load at the same time, one load generator each, started and stopped together: each gets half of the application (half its connections), both versions sending ${ratePerVersion / 2} requests per second from the start (${ratePerVersion} per version in all, the other scenarios' load), so a checkpoint, an autovacuum or a burst of another process falls on both sides alike; ${CARRIERS}, so each copy is on each side as often, and a difference between the copies cancels instead of passing for the recorder's cost (the copy effect is measured below). The first ${WARM_UP_MS} ms of each round (fresh connections) are left out on both sides. ${pooledText(plan, perVersion)}`;
}

/** Results written before the copies were loaded at once: crossed, one copy after the other. */
function sequentialCrossedMethod(plan: DrainCostPlan, ratePerVersion: number, perVersion: number): string {
  return `${MOVING_RECORDER} The copies take the same load, both versions sending ${ratePerVersion} requests per second from the start, in ${plan.rounds} rounds of four ${plan.segmentSeconds} s segments, A B B A (B A A B in the next round); ${CARRIERS}, so each copy is on each side, and goes first, as often, and a difference between the copies cancels instead of passing for the recorder's cost (the copy effect is measured below). The first ${WARM_UP_MS} ms of each segment (fresh connections) are left out on both sides. ${pooledText(plan, perVersion)}`;
}

/** Results written before the crossing: one copy kept the recorder throughout. */
function fixedCopiesMethod(plan: DrainCostPlan, ratePerVersion: number, perVersion: number): string {
  return `006 brought to its expanded state (\`up --expand\`) on two copies of the same data; on one the drain triggers stay (an old-version update or insert of \`is_admin\` also upserts a counter row in \`konstruct_migration_drain\`), on the other they are dropped by name, and both are vacuumed. The copies then take the same load, both versions sending ${ratePerVersion} requests per second from the start, in ${plan.rounds} rounds of four ${plan.segmentSeconds} s segments, A B B A (B A A B in the next round), so a drift of the machine weighs on both sides alike; the first ${WARM_UP_MS} ms of each segment (fresh connections) are left out on both sides. Each round gives one ratio of p99s, with / without; "pooled" is the ratio over every round's requests (${formatValue('count', perVersion)} per version and side), and its 95 % interval comes from a bootstrap over the rounds (1,000 draws of ${plan.rounds} rounds with replacement). ${verdictText('copies')}`;
}

/** What the crossing removed: the copies against each other with the recorder in the same state. */
function copyEffect(runs: DrainCostRun[]): string[] {
  const crossed = runs.filter((r) => r.copyEffect && r.segments);
  if (crossed.length === 0) return [];
  const x = (v: number) => formatValue('times', v);
  const pooled = (p: PooledRatio) => `${x(p.pooled)} (${x(p.interval[0])}–${x(p.interval[1])})`;
  const tally = (r: DrainCostRun, copy: Copy, side: RecorderSide) => {
    const segments = r.segments!.filter((s) => s.copy === copy && s.side === side);
    const counted = formatValue('count', segments.reduce((sum, s) => sum + s.recorded, 0));
    return side === 'recording' ? `with the recorder in ${segments.length} segments (${counted} old-shape writes counted)` : `without it in ${segments.length} (${counted} counted)`;
  };
  const moved = (r: DrainCostRun) => COPIES.map((c) => `copy ${c}: ${tally(r, c, 'recording')}, ${tally(r, c, 'without')}`).join('; ');
  return [
    "**The copy effect** (why the recorder moves between the copies): p99 of copy x / p99 of copy y with the recorder in the same state (both without it: x in the rounds y carried it and y in those x carried it; both with it), with the same bootstrap's 95 % interval; and the recorder's pooled ratio over the rounds each copy carried it, which is what a run with that copy fixed as the carrier would have reported:",
    '',
    '| version | run | x / y, both without | x / y, both with | with / without, x carrying | with / without, y carrying | with / without, crossed |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...APP_VERSIONS.flatMap((v) =>
      crossed.flatMap((r) => {
        const e = r.copyEffect![v];
        return e ? [`| ${v} | ${r.round + 1} | ${pooled(e.without)} | ${pooled(e.recording)} | ${x(e.byCarrier.x)} | ${x(e.byCarrier.y)} | ${r.ratios ? x(r.ratios[v].pooled) : '–'} |`] : [];
      }),
    ),
    '',
    ...crossed.map((r) => `Where the recorder stood, run ${r.round + 1}: ${moved(r)}.`),
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
  const signed = (ms: number) => `${ms >= 0 ? '+' : '-'}${us(Math.abs(ms))}`;
  const crossed = measured.some((r) => r.server.some((c) => c.differenceByCarrier));
  return [
    `**Measured by the server** (apart from the client's and the machine's noise): the old version's two writes that fire the recorder, run under \`EXPLAIN ANALYZE\` ${repetitions} times on each ${crossed ? 'side' : 'copy'}, alternating, each rolled back, as the old version (its \`application_name\`, so the counter row exists and the upsert updates it)${crossed ? ', half of them with the recorder on copy x, half with it on copy y' : ''}; medians of the execution time, and of the time charged to the recorder's triggers:`,
    '',
    `| write | run | execution with | execution without | difference |${crossed ? ' difference, x carrying / y carrying |' : ''} the recorder's triggers | the difference against the old version's p99 without the recorder, same run |`,
    `| --- | ---: | ---: | ---: | ---: |${crossed ? ' ---: |' : ''} ---: | ---: |`,
    ...measured.flatMap((r) => r.server.map((c) => `| ${c.statement === 'update' ? '`UPDATE … SET is_admin`' : '`INSERT … is_admin`'} | ${r.round + 1} | ${us(c.withMs)} | ${us(c.withoutMs)} | ${signed(c.withMs - c.withoutMs)} |${crossed ? ` ${c.differenceByCarrier ? `${signed(c.differenceByCarrier.x)} / ${signed(c.differenceByCarrier.y)}` : '–'} |` : ''} ${us(c.recorderMs)} | ${formatValue('percent', ((c.withMs - c.withoutMs) / r.sides.without.versions.old.p99Ms) * 100)} |`)),
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
