/**
 * The standby's replay lag through a run, seen from the primary every few
 * milliseconds, measured exactly as the health throttle measures it
 * (engine/health-verdict.ts `replicaLags`: the larger of replay_lag and the
 * time since the primary's WAL was first seen past the standby's replay
 * position), so the benchmark reports the figure the throttle acts on. Its
 * resolution is the sampling interval: the timeline is a lower bound, off by
 * at most one interval.
 */
import type { Knex } from 'knex';
import { readHealthSample } from '../../src/db/health-sample';
import { parseLsn, WalTimeline } from '../../src/db/wal-timeline';
import { replicaLags } from '../../src/engine/health-verdict';
import { connectKnex } from '../../test/support/attach-standby';
import { epochMs } from '../app-load/load-generator';
import { startSampling } from '../sampling-loop';

export interface LagSample {
  /** Epoch ms, this process's clock (the clock a run's start is taken on). */
  at: number;
  /** Null while the standby is not seen replaying (not streaming). */
  lagMs: number | null;
}

export interface LagSampler {
  /** Stops sampling (after one last sample) and returns every sample, oldest first. */
  stop(): Promise<LagSample[]>;
}

export async function sampleReplicaLag(primaryUrl: string, applicationName: string, intervalMs: number): Promise<LagSampler> {
  const knex = connectKnex(primaryUrl);
  const timeline = new WalTimeline();
  const samples: LagSample[] = [];
  const loop = startSampling(intervalMs, async () => {
    const sample = await readHealthSample(knex, { replicas: true, archiver: false });
    const at = epochMs();
    timeline.note(at, parseLsn(sample.currentLsn));
    const lag = replicaLags(sample, timeline, at).find((l) => l.replica.applicationName === applicationName);
    samples.push({ at, lagMs: lag?.ms ?? null });
    // As the throttle does: positions the standby has replayed are never needed again.
    if (lag) timeline.forget(parseLsn(lag.replica.replayLsn!));
  });
  return {
    stop: async () => {
      try {
        await loop.stop();
      } finally {
        await knex.destroy();
      }
      return samples;
    },
  };
}

/**
 * Waits until the standby has replayed everything the primary had written when called (asking the
 * standby itself, not the position it last reported); resolves with how long that took (ms).
 */
export async function waitForReplay(primary: Knex, replayLsn: () => Promise<string>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  const { rows: [{ lsn }] } = await primary.raw('SELECT pg_current_wal_lsn()::text AS lsn');
  const target = parseLsn(lsn);
  while (parseLsn(await replayLsn()) < target) {
    if (performance.now() - started > timeoutMs) throw new Error(`the standby did not catch up within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return performance.now() - started;
}
