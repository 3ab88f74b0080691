/**
 * A real run sizes each backfill batch from the time the last one took
 * (--batch-time; src/engine/batch-sizer.ts, whose rule its own test drives with
 * a fake clock): it starts at 1,000 rows and never exceeds --batch-size. A dry
 * run uses --batch-size as given, and so does --batch-time 0. No timing is asserted: the target here is far
 * above what any batch takes, so every batch counts as quick.
 */
import { describe, expect, it } from 'vitest';
import { up } from '../../src/commands/up';
import { useTempMigrationsDatabase } from '../support/temp-migrations-database';

const TABLE = `exports.up = (knex) => knex.raw('CREATE TABLE things (id int PRIMARY KEY, n int); INSERT INTO things SELECT i, 0 FROM generate_series(1, 7000) i; CREATE TABLE batch_sizes (k serial, size int)');
exports.down = (knex) => knex.raw('DROP TABLE things; DROP TABLE batch_sizes');`;

/** Fills n by id ranges of `size`, and notes each size it was given (in the same transaction: only committed batches count). */
const PHASED = `const fill = async (knex, cursor, size) => {
  const from = Number(cursor ?? 0);
  await knex.raw('WITH f AS (UPDATE things SET n = 1 WHERE id > ? AND id <= ?) INSERT INTO batch_sizes (size) VALUES (?)', [from, from + size, size]);
  return { next: from + size >= 7000 ? null : String(from + size), rows: size };
};
exports.phases = [{ phase: 'backfill', name: 'fill n', batch: { up: fill } }];`;

const t = useTempMigrationsDatabase('adaptivebatch', { '001_table': TABLE, '002_phased': PHASED }, '001');

describe('adaptive batches', () => {
  it('a dry run uses --batch-size as given', async () => {
    const { dryRun } = await up(t.ctx, { dryRun: true, batchSize: 700, batchTime: 60_000 });
    expect(dryRun!.map(({ step, batches }) => ({ step, batches }))).toEqual([{ step: 'fill n', batches: 10 }]);
  });

  it('a real run starts at 1,000 rows, grows 10 % per quick batch, and never exceeds --batch-size', async () => {
    await up(t.ctx, { batchSize: 1_500, batchTime: 60_000 });
    expect(await t.db.knex('batch_sizes').orderBy('k').pluck('size')).toEqual([1_000, 1_100, 1_210, 1_331, 1_464, 1_500]);
    expect(await t.db.knex('things').where({ n: 1 }).count({ c: '*' })).toEqual([{ c: '7000' }]);
  });
});

const fixed = useTempMigrationsDatabase('fixedbatch', { '001_table': TABLE, '002_phased': PHASED }, '001');

describe('fixed batches', () => {
  it('--batch-time 0: every batch covers --batch-size rows, as before adaptive sizing', async () => {
    await up(fixed.ctx, { batchSize: 1_500, batchTime: 0 });
    expect(await fixed.db.knex('batch_sizes').orderBy('k').pluck('size')).toEqual([1_500, 1_500, 1_500, 1_500, 1_500]);
  });
});
