/**
 * The health throttle (issue #22 item 3): a batch gate (batch-gate.ts) that
 * holds the next backfill batch while a streaming replica replays too far
 * behind or WAL waits to be archived, and lets it go once they recover. A
 * backfill at full speed writes WAL as fast as the server can: replicas fall
 * behind (stale reads, slower failover; pgroll#168) and pg_wal fills up when
 * archiving cannot keep up. GitLab's batched migrations pause on the same two
 * signals; gh-ost throttles on replica lag (1.5 s by default).
 *
 * Its cost per batch: one statement between batches, outside the batch's
 * transaction (its own server time is db/health-sample.ts's to keep small);
 * none at all within a second of the last look while no replica is attached
 * and the archive backlog is small. While a replica is attached it looks
 * before every batch, so a batch starts only if the lag was under the limit
 * right before it: past the limit, at most the batch already running commits.
 * It does not skip looks while the lag is far below the limit: the lag it
 * holds on is a lower bound, the time since a look first saw the primary's
 * WAL past the replica's position (db/wal-timeline.ts), and a skipped look
 * leaves that WAL first seen later, so the hold would come late by as long as
 * the looks skipped (more than one batch). While held it looks every POLL_MS; it holds no lock and no open
 * transaction meanwhile, and a signal still ends the run at once
 * (cli/interrupt-report.ts exits; the next batch never starts).
 */
import { sleep } from '../db/backoff';
import { readHealthSample } from '../db/health-sample';
import { HEALTH_DEFAULTS } from './run-defaults';
import { parseLsn, WalTimeline } from '../db/wal-timeline';
import type { BatchGate, BatchGateContext } from './batch-gate';
import { judgeHealth, type HealthLimits, type HealthVerdict } from './health-verdict';

export { HEALTH_DEFAULTS };

/** How often a held backfill looks again. */
export const POLL_MS = 250;
/** With no replica attached and the archive backlog under half its limit, at most one look this often. */
const IDLE_LOOK_MS = 1_000;

export interface HealthThrottleOptions {
  /** Phased migrations: hold the next backfill batch while a streaming replica replays more than this many seconds behind (default 1; 0: off). */
  maxReplicaLag?: number;
  /** Phased migrations: hold the next backfill batch while more WAL segments than this wait to be archived (default 16; 0: off). */
  maxArchiveBacklog?: number;
}

export interface ThrottleClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The gate for these options, or undefined when both limits are off. */
export function healthThrottleFor(options: HealthThrottleOptions, clock?: ThrottleClock): BatchGate | undefined {
  const limits: HealthLimits = {
    maxReplicaLagMs: Math.round((options.maxReplicaLag ?? HEALTH_DEFAULTS.maxReplicaLag) * 1000),
    maxArchiveBacklog: options.maxArchiveBacklog ?? HEALTH_DEFAULTS.maxArchiveBacklog,
  };
  return limits.maxReplicaLagMs > 0 || limits.maxArchiveBacklog > 0 ? healthThrottle(limits, clock) : undefined;
}

export function healthThrottle(limits: HealthLimits, clock: ThrottleClock = { now: () => performance.now(), sleep }): BatchGate {
  const timeline = new WalTimeline();
  const told = new Set<string>();
  let lookedAt = -Infinity;
  let idle = false;

  const look = async (context: BatchGateContext): Promise<HealthVerdict> => {
    const sample = await readHealthSample(context.knex, { replicas: limits.maxReplicaLagMs > 0, archiver: limits.maxArchiveBacklog > 0 });
    const now = (lookedAt = clock.now());
    timeline.note(now, parseLsn(sample.currentLsn));
    const verdict = judgeHealth(sample, timeline, limits, now);
    // Positions every replica has replayed are never needed again.
    const replayed = sample.replicas.flatMap((r) => (r.replayLsn === null ? [] : [parseLsn(r.replayLsn)]));
    timeline.forget(replayed.length > 0 ? replayed.reduce((a, b) => (a < b ? a : b)) : parseLsn(sample.currentLsn));
    idle = sample.replicas.length === 0 && (verdict.archiveBacklog === undefined || verdict.archiveBacklog <= limits.maxArchiveBacklog / 2);
    for (const { reason, detail } of verdict.unseen) {
      if (told.has(reason)) continue;
      told.add(reason);
      context.onStep?.({ type: 'health-unseen', reason, detail });
    }
    return verdict;
  };

  return {
    async beforeBatch(context) {
      if (idle && clock.now() - lookedAt < IDLE_LOOK_MS) return false;
      let { hold } = await look(context);
      if (!hold) return false;
      const held = clock.now();
      const event = { name: context.migration, step: context.step };
      context.onStep?.({ type: 'throttled', ...event, reason: hold.reason, detail: hold.detail, waitedMs: 0 });
      for (;;) {
        await clock.sleep(POLL_MS);
        const next = (await look(context)).hold;
        if (!next) break;
        hold = next;
        context.onStep?.({ type: 'throttled', ...event, reason: hold.reason, detail: hold.detail, waitedMs: Math.round(clock.now() - held) });
      }
      context.onStep?.({ type: 'unthrottled', ...event, reason: hold.reason, detail: hold.detail, waitedMs: Math.round(clock.now() - held) });
      return true;
    },
  };
}
