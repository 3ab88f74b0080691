/**
 * knex's own lock (knex_migrations_lock.is_locked) is never taken by us — a
 * killed run would leave it set. But the stock knex CLI sets it while it
 * migrates, so a set flag means "knex may be migrating right now" (or a killed
 * knex left it behind) and we refuse rather than run beside it.
 * Inside a migration transaction the row is also locked FOR UPDATE, so a knex
 * run that starts meanwhile waits for that step to commit; the row is never
 * written, so it cannot be left set by us.
 */
import type { Knex } from 'knex';
import { tableExists } from '../db/relation-exists';
import { LockTimeoutError } from '../errors';
import { KNEX_LOCK_TABLE } from './history-table';

/** Whether knex's lock is set (the table may not exist: then it is not): for `status`, which refuses nothing. */
export async function knexLockSet(knex: Knex): Promise<boolean> {
  if (!(await tableExists(knex, KNEX_LOCK_TABLE))) return false;
  return (await knex(KNEX_LOCK_TABLE).select('is_locked')).some((r) => Number(r.is_locked) === 1);
}

/**
 * Resolves to whether knex's lock table exists. `seen`: it existed at an earlier check of this run, so it still
 * does (knex creates it and never drops it), and the round trip that asks is saved (one per backfill batch).
 */
export async function assertKnexNotMigrating(knex: Knex, options: { lockRow?: boolean; seen?: boolean } = {}): Promise<boolean> {
  if (!options.seen && !(await tableExists(knex, KNEX_LOCK_TABLE))) return false;
  const query = knex(KNEX_LOCK_TABLE).select('is_locked');
  const rows = options.lockRow ? await query.forUpdate() : await query;
  if (rows.some((r) => Number(r.is_locked) === 1)) {
    throw new LockTimeoutError(
      `${KNEX_LOCK_TABLE}.is_locked is set: the stock knex CLI is migrating this database, or a killed knex run left it set`,
      `If no \`knex migrate\` command is running, clear it with \`knex migrate:unlock\` (or UPDATE ${KNEX_LOCK_TABLE} SET is_locked = 0) and run again.`,
    );
  }
  return true;
}
