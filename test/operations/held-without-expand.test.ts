/**
 * A list with nothing to do before contract (a dropColumn without `down`, a dropIndex) is held by `up --expand` like
 * any other (found by review: nothing was recorded, `up --expand` said "held", `complete` found nothing to complete,
 * and a plain `up` dropped the column at once, behind the operator's back).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { complete } from '../../src/commands/complete';
import { up } from '../../src/commands/up';
import { ExitCode } from '../../src/exit-codes';
import { readPhaseStates } from '../../src/history/phase-state';
import { operationsDatabase, type OperationsDatabase } from './harness';

let h: OperationsDatabase;
const columnsOf = async (table: string) =>
  (await h.db.knex('information_schema.columns').where({ table_schema: 'public', table_name: table }).pluck('column_name')) as string[];

beforeAll(async () => {
  h = await operationsDatabase('held_no_expand', '900_drop_admin_flag', {
    text: `export const operations = [{ dropColumn: { table: 'portal_users', column: 'is_admin', type: 'boolean' } }];`,
  });
});
afterAll(async () => {
  await h?.close();
});

it('holds at the expanded point before contract, refuses plain up, and completes', async () => {
  expect(h.migration.expandedAt).toBe(0);
  await up(h.ctx, { expand: true });
  expect((await readPhaseStates(h.db.knex)).map((s) => [s.name, s.stepsDone, s.held])).toEqual([['900_drop_admin_flag', 0, true]]);
  expect(await columnsOf('portal_users')).toContain('is_admin');

  const refused = await up(h.ctx).catch((e: unknown) => e);
  expect((refused as { exitCode: number }).exitCode).toBe(ExitCode.Usage);
  expect(await columnsOf('portal_users')).toContain('is_admin');

  await complete(h.ctx, { force: true });
  expect(await readPhaseStates(h.db.knex)).toEqual([]);
  expect(await columnsOf('portal_users')).not.toContain('is_admin');
});
