/**
 * Revision 006 at one row count: `up` and `down`, by konstruct-migrate and by the
 * seed's statements, each run on a fresh copy of the same template, rounds
 * interleaved (and the order within a round alternated) so that a slow moment
 * of the machine does not fall on one contender only.
 */
import { runContender, SIDES, type Direction, type Side } from './contenders';
import { portalUsersSize, withClient, type DatabaseFactory, type RelationSize } from './databases';
import { watchExclusiveLock, type HoldEnd, type LockHold } from './lock-watch';
import { median } from './median';
import { assertMigrated, type Templates } from './templates';

export const DIRECTIONS: readonly Direction[] = ['up', 'down'];

export interface RunMeasurement {
  side: Side;
  direction: Direction;
  wallMs: number;
  lock: LockHold;
  before: RelationSize;
  after: RelationSize;
}

/** Medians over the runs of one contender in one direction. */
export interface ContenderSummary {
  runs: number;
  wallMs: number;
  lockMs: number;
  /** Runs in which the lock was held too briefly to be seen (lockMs counts them as one interval). */
  lockUnseenRuns: number;
  lockEnd: HoldEnd[];
  before: RelationSize;
  after: RelationSize;
}

export interface SizeResult {
  rows: number;
  runs: RunMeasurement[];
  summary: Record<Direction, Record<Side, ContenderSummary>>;
}

export interface MigrationBenchSettings {
  runs: number;
  lockSampleMs: number;
}

export async function benchmarkMigration(
  factory: DatabaseFactory,
  templates: Templates,
  settings: MigrationBenchSettings,
  log: (line: string) => void,
): Promise<SizeResult> {
  const runs: RunMeasurement[] = [];
  for (let round = 0; round < settings.runs; round++) {
    const order = round % 2 === 0 ? SIDES : [...SIDES].reverse();
    for (const direction of DIRECTIONS) {
      for (const side of order) {
        const run = await measureOnce(factory, templates, side, direction, settings.lockSampleMs);
        log(`  round ${round + 1}/${settings.runs} ${direction.padEnd(4)} ${side.padEnd(4)} ${Math.round(run.wallMs)} ms, lock ${Math.round(run.lock.ms)} ms`);
        runs.push(run);
      }
    }
  }
  return { rows: templates.rows, runs, summary: summarize(runs) };
}

async function measureOnce(
  factory: DatabaseFactory,
  templates: Templates,
  side: Side,
  direction: Direction,
  lockSampleMs: number,
): Promise<RunMeasurement> {
  const database = await factory.create('run', direction === 'up' ? templates.at005 : templates.at006);
  const url = factory.url(database);
  try {
    const before = await withClient(url, portalUsersSize);
    const watch = await watchExclusiveLock(url, 'portal_users', lockSampleMs);
    let wallMs: number;
    try {
      wallMs = await runContender(side, direction, url);
    } catch (error) {
      await watch.stop().catch(() => {});
      throw error;
    }
    const lock = await watch.stop();
    const after = await withClient(url, async (client) => {
      const size = await portalUsersSize(client);
      await assertMigrated(client, direction, templates.rows);
      return size;
    });
    return { side, direction, wallMs, lock, before, after };
  } finally {
    await factory.drop(database);
  }
}

export function summarize(runs: RunMeasurement[]): SizeResult['summary'] {
  const of = (direction: Direction, side: Side): ContenderSummary => {
    const mine = runs.filter((r) => r.direction === direction && r.side === side);
    const sizes = (pick: (r: RunMeasurement) => RelationSize): RelationSize => ({
      total: median(mine.map((r) => pick(r).total)),
      heap: median(mine.map((r) => pick(r).heap)),
    });
    return {
      runs: mine.length,
      wallMs: median(mine.map((r) => r.wallMs)),
      lockMs: median(mine.map((r) => r.lock.ms)),
      lockUnseenRuns: mine.filter((r) => !r.lock.observed).length,
      lockEnd: [...new Set(mine.flatMap((r) => (r.lock.end ? [r.lock.end] : [])))],
      before: sizes((r) => r.before),
      after: sizes((r) => r.after),
    };
  };
  return {
    up: { ours: of('up', 'ours'), seed: of('up', 'seed') },
    down: { ours: of('down', 'ours'), seed: of('down', 'seed') },
  };
}
