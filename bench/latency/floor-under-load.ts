/**
 * The backfill's floor under the application's load (issue #22 item 2): the
 * same unbatched UPDATE of the admins as backfill-floor.ts, on a fresh copy
 * with `role` added (untimed, before the load starts), while both versions
 * send their reads, updates and inserts at the benchmark's rate. No migration,
 * no trigger, no batches: what the application sees meanwhile is what the work
 * itself costs it on this machine, the physical reference for a backfill's
 * latency target. Its row locks are held to its one commit, but the load's
 * updates touch non-admin rows (row-pools.ts), so an update waits on it only
 * for a row the old version promoted in the second before.
 */
import type pg from 'pg';
import { epochMs, startAppLoad, type RequestRecord } from '../app-load/load-generator';
import { pickRowPools } from '../app-load/row-pools';
import { FLOOR_UPDATE } from '../backfill-floor';
import { connect, type DatabaseFactory } from '../databases';
import { watchTableLocks } from '../lock-watch';
import type { LoadPlan } from '../measured-run';
import type { Templates } from '../templates';

export interface FloorRun {
  /** Epoch ms of the UPDATE's start and its length. */
  startedAt: number;
  ms: number;
  requests: RequestRecord[];
}

/** `lockSampleMs`: the lock watch of the engine's runs runs here too, so that both carry the same observer. */
export async function floorUnderLoad(factory: DatabaseFactory, templates: Templates, load: LoadPlan, lockSampleMs: number): Promise<FloorRun> {
  const database = await factory.create('floorload', templates.at005);
  try {
    const url = factory.url(database);
    const client = await connect(url);
    try {
      await client.query(`ALTER TABLE portal_users ADD COLUMN role text NOT NULL DEFAULT 'customer_admin'`);
      const running = await startAppLoad(url, await pickRowPools(client, templates.rows), load);
      try {
        // `role` exists from the start: both versions send for the whole run.
        running.deploy('new');
        const watch = await watchTableLocks(url, 'portal_users', lockSampleMs, () => running.pids);
        const timed = await timeFloor(client, templates, load.marginMs).finally(() => watch.stop().catch(() => []));
        return { ...timed, requests: (await running.stop()).requests };
      } catch (error) {
        await running.stop().catch(() => null);
        throw error;
      }
    } finally {
      await client.end();
    }
  } finally {
    await factory.drop(database);
  }
}

/** The UPDATE between two margins of load alone. */
async function timeFloor(client: pg.Client, templates: Templates, marginMs: number): Promise<{ startedAt: number; ms: number }> {
  await sleep(marginMs);
  const startedAt = epochMs();
  const { rowCount } = await client.query(FLOOR_UPDATE);
  const ms = epochMs() - startedAt;
  // The old version may have promoted a few more rows before it: at least the template's admins.
  if (rowCount === null || rowCount < templates.admins) throw new Error(`the floor's UPDATE set ${rowCount} rows; expected at least the ${templates.admins} admins`);
  await sleep(marginMs);
  return { startedAt, ms };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
