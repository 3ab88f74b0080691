/**
 * An operator steering a running backfill from another shell (`steer`,
 * history/steering-table.ts). Before every batch the gate reads the
 * migration's row, one statement (just a to_regclass while no `steer` made the
 * table): read before each batch rather than every so often, a pause holds the
 * backfill within the batch that was running when it was set.
 *   - paused: it says so once (`paused`, with who, when and why) and polls the
 *     row until the pause is lifted (`resumed`). It waits between two
 *     committed batches, like every gate (batch-gate.ts): the run then holds no
 *     table lock, no row lock and no open work transaction; only the migration
 *     lock's transaction stays open, which has no transaction id and no
 *     snapshot (db/advisory-lock.ts). A signal ends the wait at once
 *     (cli/interrupt-report.ts exits the process).
 *   - a new batch time: the sizer aims at it from the next batch on, and the
 *     gate says so once per value (`batch-time`).
 * The row outlives the run: a pause set while nothing runs, or left when a
 * paused run was killed, holds the next run's backfill too, which says so.
 */
import { sleep } from '../db/backoff';
import { readSteeringRow, steeringTableExists, type Steering } from '../history/steering-table';
import type { BatchGate, BatchGateContext } from './batch-gate';

/** How often a paused backfill looks whether it was resumed. */
export const PAUSED_POLL_MS = 250;

export function steeringGate(o: { pollMs?: number } = {}): BatchGate {
  const pollMs = o.pollMs ?? PAUSED_POLL_MS;
  let tableSeen = false;
  let announcedMs: number | undefined;

  /** The row, or null; one statement once the table is known to exist. */
  const read = async (ctx: BatchGateContext): Promise<Steering | null> => {
    if (!tableSeen && !(tableSeen = await steeringTableExists(ctx.knex))) return null;
    const row = await readSteeringRow(ctx.knex, ctx.migration);
    if (row === undefined) tableSeen = false; // dropped meanwhile: nothing is steered
    return row ?? null;
  };

  return {
    async beforeBatch(ctx) {
      const { migration: name, step } = ctx;
      let row = await read(ctx);
      const paused = row?.paused === true;
      if (paused) {
        const started = performance.now();
        ctx.onStep?.({ type: 'paused', name, step, by: row!.pausedBy!, at: row!.pausedAt!, reason: row!.reason });
        while (row?.paused) {
          await sleep(pollMs);
          row = await read(ctx);
        }
        ctx.onStep?.({ type: 'resumed', name, step, by: row?.updatedBy ?? null, pausedMs: Math.round(performance.now() - started) });
      }
      const wanted = row?.batchTimeMs ?? undefined;
      // A fixed size (targetMs undefined: --batch-time 0) has no target to change.
      if (wanted === undefined || ctx.sizer.targetMs === undefined || wanted === ctx.sizer.targetMs) return paused;
      const previousMs = ctx.sizer.targetMs;
      ctx.sizer.retarget(wanted);
      if (wanted !== announcedMs) ctx.onStep?.({ type: 'batch-time', name, step, batchTimeMs: wanted, previousMs, by: row!.updatedBy });
      announcedMs = wanted;
      return paused;
    },
  };
}
