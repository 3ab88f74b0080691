/**
 * Whether a look at the primary (db/health-sample.ts) should hold the next
 * backfill batch, and why, in words for the progress line: a replica replaying
 * too far behind (db/wal-timeline.ts says how that is measured), or too many
 * WAL segments waiting to be archived. Also what cannot be seen, so that the
 * user is told once rather than the throttle silently taking it for healthy.
 */
import { archiveBacklog } from '../db/archive-backlog';
import type { HealthSample, ReplicaState } from '../db/health-sample';
import { formatSeconds } from '../db/session-info';
import { parseLsn, type WalTimeline } from '../db/wal-timeline';

export type ThrottleReason = 'replica-lag' | 'archive-backlog';

export interface HealthLimits {
  /** Hold while a replica replays more than this far behind (ms; 0: not watched). */
  maxReplicaLagMs: number;
  /** Hold while more WAL segments than this wait to be archived (0: not watched). */
  maxArchiveBacklog: number;
}

export interface Hold {
  reason: ThrottleReason;
  detail: string;
}

export interface HealthVerdict {
  hold?: Hold;
  /** What the role may not see: one sentence per reason. */
  unseen: Array<{ reason: ThrottleReason; detail: string }>;
  /** Replicas whose lag was measured. */
  replicas: number;
  /** Segments waiting to be archived, when archiving is on and it can be told. */
  archiveBacklog?: number;
}

/** States of a walsender whose standby replays WAL (not `startup` or a base backup's `backup`). */
const REPLAYING = new Set(['streaming', 'catchup']);

/**
 * Judges `sample`, taken at `now`; `timeline` must already hold the sample's
 * current position (the gate notes it first). A replica is as far behind as
 * replicaLags says.
 */
export function judgeHealth(sample: HealthSample, timeline: WalTimeline, limits: HealthLimits, now: number): HealthVerdict {
  const unseen: HealthVerdict['unseen'] = [];
  const lags = replicaLags(sample, timeline, now);
  if (limits.maxReplicaLagMs > 0 && sample.replicas.some((r) => r.state === null)) {
    unseen.push({
      reason: 'replica-lag',
      detail:
        `replica lag cannot be seen: PostgreSQL shows the positions in pg_stat_replication only to superusers and members of pg_read_all_stats ` +
        `(or pg_monitor), and role "${sample.role}" is neither, so the backfill is not throttled on replica lag`,
    });
  }
  const backlog = sample.archiver ? archiveBacklog(sample.archiver) : undefined;
  const verdict: HealthVerdict = { unseen, replicas: lags.length, ...(backlog === undefined ? {} : { archiveBacklog: backlog }) };
  const over = lags.filter((l) => l.ms > limits.maxReplicaLagMs);
  if (limits.maxReplicaLagMs > 0 && over.length > 0) {
    const more = over.length > 1 ? ` (and ${over.length - 1} more replica${over.length > 2 ? 's' : ''})` : '';
    const detail = `replica ${describeReplica(over[0]!.replica)} replays ${formatSeconds(over[0]!.ms / 1000)} behind${more}, limit ${formatSeconds(limits.maxReplicaLagMs / 1000)}`;
    return { ...verdict, hold: { reason: 'replica-lag', detail } };
  }
  if (limits.maxArchiveBacklog > 0 && backlog !== undefined && backlog > limits.maxArchiveBacklog) {
    const detail = `${backlog.toLocaleString('en-US')} WAL segments wait to be archived, limit ${limits.maxArchiveBacklog.toLocaleString('en-US')}`;
    return { ...verdict, hold: { reason: 'archive-backlog', detail } };
  }
  return verdict;
}

/**
 * How far behind each replaying replica of `sample` is, largest first: the larger of the timeline's
 * measure and pg_stat_replication.replay_lag. Also what the benchmark reports as a standby's lag.
 * A replica that has replayed all the primary had written is behind by nothing, whatever replay_lag still says:
 * that figure is the standby's last report, up to wal_receiver_status_interval old (found by review: a caught-up
 * replica held the backfill 8 s more, and the hold's end line quoted the stale 1.1 s).
 */
export function replicaLags(sample: HealthSample, timeline: WalTimeline, now: number): Array<{ replica: ReplicaState; ms: number }> {
  const current = parseLsn(sample.currentLsn);
  return sample.replicas
    .filter((r) => r.replayLsn !== null && r.state !== null && REPLAYING.has(r.state))
    .map((r) => {
      const replayed = parseLsn(r.replayLsn!);
      const reported = replayed >= current ? 0 : (r.replayLagSeconds ?? 0) * 1000;
      return { replica: r, ms: Math.max(timeline.behindMs(replayed, now), reported) };
    })
    .sort((a, b) => b.ms - a.ms);
}

/** `"standby1" (10.0.0.7)`, or `pid 4242` when it has no name. */
function describeReplica(r: ReplicaState): string {
  const name = r.applicationName ? `"${r.applicationName}"` : `pid ${r.pid}`;
  return r.clientAddr ? `${name} (${r.clientAddr})` : name;
}
