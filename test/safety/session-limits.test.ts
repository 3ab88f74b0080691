/**
 * Every migration runs under the limits: transactional ones with SET LOCAL,
 * non-transactional ones (CREATE INDEX CONCURRENTLY) on a session started with
 * them — and those still apply and revert normally.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_LOCK_TIMEOUT_MS } from '../../src/engine/first-attempt-probe';
import { runCli } from '../support/cli';
import { historyNames } from '../support/database-state';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { tempMigrations, type TempMigrations } from '../support/temp-migrations';

let db: TestDatabase;
let dir: TempMigrations;
const cli = (...args: string[]) => runCli(args, { env: { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: dir.dir } });
const SETTINGS = `current_setting('lock_timeout') AS lock_timeout, current_setting('statement_timeout') AS statement_timeout`;

beforeAll(async () => {
  db = await createTestDatabase('limits');
  dir = tempMigrations({
    '001_in_transaction': `
exports.up = (knex) => knex.raw("CREATE TABLE seen_in_transaction AS SELECT ${SETTINGS}, now() <> statement_timestamp() AS in_transaction");
exports.down = (knex) => knex.raw('DROP TABLE seen_in_transaction');`,
    '002_concurrent_index': `
exports.config = { transaction: false };
exports.up = async (knex) => {
  await knex.raw("CREATE TABLE seen_outside AS SELECT ${SETTINGS}");
  await knex.raw('CREATE INDEX CONCURRENTLY seen_outside_lock ON seen_outside (lock_timeout)');
};
exports.down = async (knex) => {
  await knex.raw('DROP INDEX CONCURRENTLY seen_outside_lock');
  await knex.raw('DROP TABLE seen_outside');
};`,
  });
});
afterAll(async () => {
  await db?.drop();
  dir?.remove();
});

describe('lock_timeout and statement_timeout', () => {
  it('apply to transactional and non-transactional migrations, with defaults 0.5 s and off', async () => {
    const run = await cli('up');
    expect(run.code, run.stderr).toBe(0);
    // A transaction's first attempt is a short probe (src/engine/first-attempt-probe.ts); with nothing in the way it commits.
    expect(await db.knex('seen_in_transaction').first()).toEqual({ lock_timeout: `${PROBE_LOCK_TIMEOUT_MS}ms`, statement_timeout: '0', in_transaction: true });
    expect(await db.knex('seen_outside').first()).toEqual({ lock_timeout: '500ms', statement_timeout: '0' });
    const { rows } = await db.knex.raw(`SELECT indisvalid FROM pg_index WHERE indexrelid = 'seen_outside_lock'::regclass`);
    expect(rows).toEqual([{ indisvalid: true }]);
    expect(await historyNames(db.knex)).toEqual(['001_in_transaction', '002_concurrent_index']);
  });

  it('take --lock-timeout and --statement-timeout; a non-transactional migration reverts too', async () => {
    expect((await cli('down', '--all')).code).toBe(0);
    expect(await db.knex.schema.hasTable('seen_outside')).toBe(false);

    // --lock-retries 0: one attempt with the lock_timeout given (no probe).
    const run = await cli('up', '--lock-timeout', '2.5', '--statement-timeout', '90', '--lock-retries', '0');
    expect(run.code, run.stderr).toBe(0);
    expect(await db.knex('seen_in_transaction').first()).toMatchObject({ lock_timeout: '2500ms', statement_timeout: '90s' });
    expect(await db.knex('seen_outside').first()).toEqual({ lock_timeout: '2500ms', statement_timeout: '90s' });
  });
});
