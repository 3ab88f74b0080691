/**
 * Applying or reverting one migration atomically: its statements and the
 * history row commit together in one transaction, or not at all. A migration
 * that opts out of the transaction (`config.transaction = false`, needed for
 * CREATE INDEX CONCURRENTLY) is recorded only after it has finished.
 *
 * Every attempt runs under lock_timeout / statement_timeout. When a lock is not
 * granted in time (SQLSTATE 55P03) the transaction has been rolled back, so the
 * step is simply tried again after a jittered pause; the live application's
 * queries never queue behind us for longer than lock_timeout.
 */
import type { Knex } from 'knex';
import { KonstructError, LockTimeoutError, MigrationFailedError } from '../errors';
import { formatSeconds } from '../db/session-info';
import { statementOf } from '../db/statement-errors';
import { assertKnexNotMigrating } from '../history/knex-lock-row';
import { recordApplied, removeApplied } from '../history/history-table';
import { loadMigration, type LocalMigration, type MigrationModule } from '../history/local-migrations';
import { backoffDelay, sleep } from './backoff';
import { describeBlockers, describeWaitTarget, watchLockWaits, type LockWait, type LockWaitWatcher } from './lock-wait-watcher';
import { applyLocalTimeouts, withTimeoutSession, type SessionTimeouts } from './session-timeouts';

export type Direction = 'up' | 'down';

export interface StepResult {
  name: string;
  direction: Direction;
  /** Wall time of the step, retries included. */
  ms: number;
  /** 1 unless lock timeouts made it try again. */
  attempts: number;
}

export interface StepOptions {
  timeouts: SessionTimeouts;
  /** How many times to try again after a lock timeout (transactional steps only). */
  lockRetries: number;
  log: (line: string) => void;
  /** Runs before each attempt, e.g. to check the migration lock is still held. */
  beforeAttempt?: () => Promise<void>;
  /** Bookkeeping that must commit with this step (e.g. creating the history tables on a first run). */
  prepare?: (db: Knex) => Promise<void>;
}

const RETRY_BACKOFF = { initialMs: 500, maxMs: 10_000 };
const LOCK_NOT_AVAILABLE = '55P03';

export async function runStep(
  knex: Knex,
  migration: LocalMigration,
  direction: Direction,
  batch: number,
  options: StepOptions,
): Promise<StepResult> {
  const mod = await loadMigration(migration);
  const transactional = mod.config?.transaction !== false;
  const started = performance.now();
  for (let attempt = 1; ; attempt++) {
    await options.beforeAttempt?.();
    const failure = await attemptStep(knex, mod, migration, direction, batch, options);
    if (!failure) return { name: migration.name, direction, ms: Math.round(performance.now() - started), attempts: attempt };

    const { error, wait } = failure;
    if (error instanceof KonstructError) throw error;
    if ((error as { code?: string })?.code !== LOCK_NOT_AVAILABLE) {
      throw new MigrationFailedError(migration.name, direction, error, { transactional, statement: statementOf(error) });
    }
    if (!transactional || attempt > options.lockRetries) {
      throw lockTimeout(migration, direction, { attempts: attempt, transactional, wait, options, cause: error });
    }
    const delay = backoffDelay(attempt - 1, RETRY_BACKOFF);
    const within = `within lock_timeout (${formatSeconds(options.timeouts.lockTimeoutMs / 1000)})`;
    options.log(
      `${migration.name}: ${wait ? `${describeWaitTarget(wait)} not granted ${within}, blocked by ${describeBlockers(wait)}` : `a lock was not granted ${within}`}; ` +
        `rolled back, retrying in ${formatSeconds(delay / 1000)} (attempt ${attempt + 1} of ${options.lockRetries + 1})`,
    );
    await sleep(delay);
  }
}

/** One try; resolves to undefined on success, or to the error and the last lock wait seen. */
async function attemptStep(
  knex: Knex,
  mod: MigrationModule,
  migration: LocalMigration,
  direction: Direction,
  batch: number,
  options: StepOptions,
): Promise<{ error: unknown; wait?: LockWait } | undefined> {
  let watcher: LockWaitWatcher | undefined;
  const watch = (pid: number) => {
    watcher = watchLockWaits(knex, pid, (w) =>
      options.log(`${migration.name} is waiting for ${describeWaitTarget(w)}, held by ${describeBlockers(w)}`),
    );
  };
  const record = (db: Knex) => (direction === 'up' ? recordApplied(db, migration, batch) : removeApplied(db, migration.name));
  try {
    if (mod.config?.transaction === false) {
      if (options.prepare) await knex.transaction(options.prepare);
      await withTimeoutSession(knex, options.timeouts, async (session, pid) => {
        watch(pid);
        await mod[direction](session);
      });
      await record(knex);
    } else {
      await knex.transaction(async (trx) => {
        watch(await applyLocalTimeouts(trx, options.timeouts));
        await options.prepare?.(trx);
        await assertKnexNotMigrating(trx, { lockRow: true });
        await mod[direction](trx);
        await record(trx);
      });
    }
    await watcher?.stop();
    return undefined;
  } catch (error) {
    return { error, wait: await watcher?.stop() };
  }
}

function lockTimeout(
  migration: LocalMigration,
  direction: Direction,
  f: { attempts: number; transactional: boolean; wait?: LockWait; options: StepOptions; cause: unknown },
): LockTimeoutError {
  const within = formatSeconds(f.options.timeouts.lockTimeoutMs / 1000);
  const outcome = f.transactional
    ? `${f.attempts} attempt(s), each rolled back`
    : 'it runs outside a transaction, so what it did before that statement stays applied';
  return new LockTimeoutError(
    `${migration.name} (${direction}) could not get ${f.wait ? describeWaitTarget(f.wait) : 'a lock'} within ${within} (lock_timeout; ${outcome})`,
    `${f.wait ? `It was blocked by ${describeBlockers(f.wait)}. ` : ''}Run again when that is done, or allow longer waits with --lock-timeout and --lock-retries.`,
    f.cause,
  );
}
