/**
 * The one step executor (src/engine/run-steps.ts), through `up` and `down`:
 * a step of a phased migration can run outside a transaction (what CREATE
 * INDEX CONCURRENTLY needs), and the dry run batches with the run's own
 * --batch-size, as a real run does.
 */
import { describe, expect, it } from 'vitest';
import { down } from '../../src/commands/down';
import { up } from '../../src/commands/up';
import { readPhaseStates } from '../../src/history/phase-state';
import { useTempMigrationsDatabase } from '../support/temp-migrations-database';

const TABLE = `exports.up = (knex) => knex.raw('CREATE TABLE things (id int PRIMARY KEY, n int); INSERT INTO things SELECT i, 0 FROM generate_series(1, 6) i');
exports.down = (knex) => knex.raw('DROP TABLE things');`;

/** Fills n by id ranges of `size`; then builds an index outside a transaction. */
const PHASED = `const fill = async (knex, cursor, size) => {
  const from = Number(cursor ?? 0);
  await knex.raw('UPDATE things SET n = 1 WHERE id > ? AND id <= ?', [from, from + size]);
  return { next: from + size >= 6 ? null : String(from + size), rows: size };
};
exports.phases = [
  { phase: 'backfill', name: 'fill n', batch: { up: fill } },
  {
    phase: 'contract', name: 'index n', outsideTransaction: true,
    up: (knex) => knex.raw('CREATE INDEX CONCURRENTLY things_n ON things (n)'),
    down: (knex) => knex.raw('DROP INDEX CONCURRENTLY things_n'),
  },
];`;

const t = useTempMigrationsDatabase('stepexec', { '001_table': TABLE, '002_phased': PHASED }, '001');

describe('the step executor', () => {
  it('dry-runs batches of --batch-size rows, and stops before a step that cannot run in a transaction', async () => {
    const { dryRun } = await up(t.ctx, { dryRun: true, batchSize: 2 });
    expect(dryRun!.map(({ step, batches, notRun }) => ({ step, batches, notRun }))).toEqual([
      { step: 'fill n', batches: 3, notRun: undefined },
      { step: 'index n', batches: undefined, notRun: 'it is not transactional, so it cannot be run and rolled back; the dry run stops here' },
    ]);
    expect(await t.db.knex('things').where({ n: 1 }).count({ c: '*' })).toEqual([{ c: '0' }]);
  });

  it('runs a phased step outside a transaction, for real, both ways', async () => {
    await up(t.ctx, { batchSize: 4 });
    const indexes = () => t.db.knex('pg_indexes').where({ tablename: 'things' }).orderBy('indexname').pluck('indexname');
    expect(await indexes()).toEqual(['things_n', 'things_pkey']);
    expect(await t.db.knex('things').where({ n: 1 }).count({ c: '*' })).toEqual([{ c: '6' }]);
    expect(await readPhaseStates(t.db.knex)).toEqual([]);

    await down(t.ctx);
    expect(await indexes()).toEqual(['things_pkey']);
    expect(await t.db.knex('knex_migrations').orderBy('name').pluck('name')).toEqual(['001_table']);
  });
});
