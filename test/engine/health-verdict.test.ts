/**
 * The health throttle's judgement (src/engine/health-verdict.ts) and its
 * measures (src/db/wal-timeline.ts, src/db/archive-backlog.ts), from samples
 * made up here and a fake clock: how far behind a replica replays, also while
 * its replay stands still and the primary is quiet (when pg_stat_replication.replay_lag
 * stands still until the standby next reports),
 * and how many WAL segments wait to be archived. The real standby is in
 * health-throttle.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { archiveBacklog, walSegmentNumber } from '../../src/db/archive-backlog';
import type { HealthSample, ReplicaState } from '../../src/db/health-sample';
import { parseLsn, WalTimeline } from '../../src/db/wal-timeline';
import { judgeHealth } from '../../src/engine/health-verdict';

const SEGMENT = 16 * 1024 * 1024;

describe('WAL positions', () => {
  it('are read as PostgreSQL prints them', () => {
    expect(parseLsn('0/0')).toBe(0n);
    expect(parseLsn('16/B374D848')).toBe(0x16b374d848n);
    expect(() => parseLsn('nonsense')).toThrow(/not a WAL position/);
  });
});

describe('how far behind a replica replays (WalTimeline)', () => {
  it('counts from the first moment the primary was seen past the replayed position', () => {
    const t = new WalTimeline();
    t.note(1_000, 100n);
    t.note(1_050, 200n);
    t.note(1_100, 300n);
    expect(t.behindMs(300n, 1_100)).toBe(0); // replayed everything seen
    expect(t.behindMs(250n, 1_100)).toBe(0); // past it only at this very look
    expect(t.behindMs(150n, 1_100)).toBe(50); // past it since 1,050 (a lower bound: it may have passed earlier)
    expect(t.behindMs(50n, 1_100)).toBe(100);
  });

  it('keeps growing while replay stands still and the primary writes nothing more', () => {
    const t = new WalTimeline();
    t.note(0, 100n);
    t.note(10, 200n);
    for (const now of [500, 1_000, 5_000]) {
      t.note(now, 200n); // the same position again: its first moment stays
      expect(t.behindMs(100n, now)).toBe(now - 10);
    }
  });

  it('forgets what every replica replayed, and keeps the newest position', () => {
    const t = new WalTimeline();
    for (let i = 1; i <= 5; i++) t.note(i * 100, BigInt(i * 100));
    t.forget(300n);
    expect(t.size).toBe(2);
    expect(t.behindMs(300n, 600)).toBe(200);
    t.forget(10_000n);
    expect(t.size).toBe(1);
  });
});

describe('WAL waiting to be archived', () => {
  it('reads segment numbers from WAL file names, across a log boundary', () => {
    expect(walSegmentNumber('000000010000000000000003', SEGMENT)).toBe(3);
    expect(walSegmentNumber('0000000100000001000000FF', SEGMENT)).toBe(256 + 255);
    expect(walSegmentNumber('000000020000000100000000.partial', SEGMENT)).toBe(256);
    expect(walSegmentNumber('00000002.history', SEGMENT)).toBeUndefined();
  });

  it('counts the complete segments after the last one archived, not the one being written', () => {
    const state = { currentWal: '000000010000000100000002', lastFailed: null, segmentBytes: SEGMENT };
    expect(archiveBacklog({ ...state, lastArchived: '000000010000000100000001' })).toBe(0);
    expect(archiveBacklog({ ...state, lastArchived: '0000000100000000000000FE' })).toBe(3);
    expect(archiveBacklog({ ...state, lastArchived: null, lastFailed: '0000000100000000000000FF' })).toBe(3);
    expect(archiveBacklog({ ...state, lastArchived: null })).toBeUndefined();
  });
});

const replica = (over: Partial<ReplicaState> = {}): ReplicaState => ({
  pid: 4242, applicationName: 'standby1', clientAddr: '10.0.0.7', state: 'streaming', replayLsn: '0/100', replayLagSeconds: null, ...over,
});
const sample = (over: Partial<HealthSample> = {}): HealthSample => ({ role: 'deploy', currentLsn: '0/300', replicas: [], ...over });
const limits = { maxReplicaLagMs: 1_000, maxArchiveBacklog: 16 };

describe('the verdict', () => {
  it('holds on the replica furthest behind, naming it, its lag and the limit', () => {
    const t = new WalTimeline();
    t.note(0, 0x200n);
    t.note(3_000, 0x300n);
    const replicas = [replica({ pid: 1, applicationName: 'near', replayLsn: '0/250' }), replica({ replayLsn: '0/100' })];
    const verdict = judgeHealth(sample({ replicas }), t, limits, 4_500);
    expect(verdict.hold).toEqual({ reason: 'replica-lag', detail: 'replica "standby1" (10.0.0.7) replays 4.5 s behind (and 1 more replica), limit 1 s' });
  });

  it('lets the batch go under the limit, and when the replica has replayed everything', () => {
    const t = new WalTimeline();
    t.note(0, 0x100n);
    t.note(900, 0x300n);
    expect(judgeHealth(sample({ replicas: [replica({ replayLsn: '0/200' })] }), t, limits, 1_500).hold).toBeUndefined(); // 0.6 s
    expect(judgeHealth(sample({ replicas: [replica({ replayLsn: '0/300' })] }), t, limits, 60_000).hold).toBeUndefined();
  });

  it('takes pg_stat_replication.replay_lag when it says more (a replica that was behind before the first look)', () => {
    const t = new WalTimeline();
    t.note(0, 0x300n);
    const verdict = judgeHealth(sample({ replicas: [replica({ replayLagSeconds: 2.5 })] }), t, limits, 0);
    expect(verdict.hold?.detail).toBe('replica "standby1" (10.0.0.7) replays 2.5 s behind, limit 1 s');
  });

  it("ignores replay_lag once the replica has replayed all the primary wrote: it is the standby's last report, seconds old (found by review)", () => {
    const t = new WalTimeline();
    t.note(0, 0x300n);
    const caughtUp = replica({ replayLsn: '0/300', replayLagSeconds: 1.13885 });
    expect(judgeHealth(sample({ replicas: [caughtUp] }), t, limits, 8_000).hold).toBeUndefined();
    // One byte short of it, the same report still holds the batch.
    expect(judgeHealth(sample({ replicas: [{ ...caughtUp, replayLsn: '0/2FF' }] }), t, limits, 0).hold?.detail).toBe('replica "standby1" (10.0.0.7) replays 1.1 s behind, limit 1 s');
  });

  it('leaves out walsenders that replay nothing (a base backup, a standby starting up)', () => {
    const t = new WalTimeline();
    t.note(0, 0x100n);
    t.note(1, 0x300n);
    const replicas = [replica({ state: 'backup', replayLsn: null }), replica({ state: 'startup', replayLsn: '0/100' })];
    expect(judgeHealth(sample({ replicas }), t, limits, 60_000)).toEqual({ unseen: [], replicas: 0 });
  });

  it('says when replica lag cannot be seen (no pg_monitor) instead of taking it for none', () => {
    const hidden = replica({ applicationName: 'standby1', clientAddr: null, state: null, replayLsn: null });
    const verdict = judgeHealth(sample({ replicas: [hidden] }), new WalTimeline(), limits, 0);
    expect(verdict.hold).toBeUndefined();
    expect(verdict.unseen).toEqual([{ reason: 'replica-lag', detail: expect.stringMatching(/^replica lag cannot be seen: .*pg_read_all_stats.*role "deploy".*not throttled on replica lag$/) }]);
    expect(judgeHealth(sample({ replicas: [hidden] }), new WalTimeline(), { ...limits, maxReplicaLagMs: 0 }, 0).unseen).toEqual([]);
  });

  it('holds while more segments than the limit wait to be archived', () => {
    const archiver = { currentWal: '000000010000000000000020', lastArchived: '000000010000000000000002', lastFailed: null, segmentBytes: SEGMENT };
    expect(judgeHealth(sample({ archiver }), new WalTimeline(), limits, 0).hold).toEqual({ reason: 'archive-backlog', detail: '29 WAL segments wait to be archived, limit 16' });
    expect(judgeHealth(sample({ archiver }), new WalTimeline(), { ...limits, maxArchiveBacklog: 29 }, 0)).toEqual({ unseen: [], replicas: 0, archiveBacklog: 29 });
  });
});
