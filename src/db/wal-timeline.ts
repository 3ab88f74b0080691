/**
 * How far behind a streaming replica replays, measured from the primary.
 *
 * pg_stat_replication.replay_lag alone is a stale figure: the primary computes
 * it only when the standby reports its positions, which it does when it
 * receives WAL and otherwise every wal_receiver_status_interval (10 s by
 * default). With replay paused on PostgreSQL 15, it grew while the primary
 * wrote, then stood still at 1.9 s for 3 s while the primary was quiet (a held
 * backfill writes nothing), and jumped to 5.3 s at the standby's next report.
 * (It also turns NULL once the standby is caught up and nothing is written.)
 *
 * So the primary's own clock is used too: each time the gate looks, it notes
 * the primary's current WAL position and when it was first seen. A standby
 * whose replay position is R is then behind by the time since the primary's
 * WAL was first seen past R, which grows steadily while replay stands still,
 * whatever the standby reports, and falls to 0 once it has replayed everything
 * the primary had written. It is a lower bound: the WAL passed R at some moment
 * between the last look that saw it at or before R and the first that saw it
 * past R, and the later one is taken, so it never throttles on lag that is not
 * there. The gate looks before every batch while a replica is attached, so it
 * is off by at most the time between two batches; the gate takes the larger of
 * this and replay_lag (which covers a replica already behind at the first look).
 * (The other way considered, the time the replay position has not moved while
 * behind, resets at every record replayed: a standby replaying slowly but
 * steadily minutes behind would look current.)
 */

/** A WAL position as PostgreSQL prints it (`16/B374D848`), in bytes. */
export function parseLsn(text: string): bigint {
  const [high, low] = text.split('/');
  if (low === undefined || !/^[0-9A-F]+$/i.test(high!) || !/^[0-9A-F]+$/i.test(low)) throw new Error(`not a WAL position: ${text}`);
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

interface Seen {
  /** When it was first seen, in the caller's clock (ms). */
  at: number;
  lsn: bigint;
}

/** Keeps at most this many positions: a standby further behind than that many looks is far over any limit anyway. */
const MAX_SEEN = 10_000;

/** The primary's WAL positions, each with the moment it was first seen, oldest first. */
export class WalTimeline {
  private seen: Seen[] = [];

  /** The primary's current position at `at`; a position seen before keeps its first moment. */
  note(at: number, lsn: bigint): void {
    const last = this.seen[this.seen.length - 1];
    if (last && lsn <= last.lsn) return;
    this.seen.push({ at, lsn });
    if (this.seen.length > MAX_SEEN) this.seen.shift();
  }

  /** Milliseconds since the WAL was first seen past `replayed` (0: nothing seen is past it). */
  behindMs(replayed: bigint, now: number): number {
    const past = this.seen.find((s) => s.lsn > replayed);
    return past ? Math.max(0, now - past.at) : 0;
  }

  /** Forgets positions at or before `replayed` (every replica has replayed them), keeping the newest. */
  forget(replayed: bigint): void {
    const keep = this.seen.findIndex((s) => s.lsn > replayed);
    this.seen = keep === -1 ? this.seen.slice(-1) : this.seen.slice(keep);
  }

  get size(): number {
    return this.seen.length;
  }
}
