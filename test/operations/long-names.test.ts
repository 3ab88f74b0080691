/**
 * Columns whose names leave the generated trigger names no room within PostgreSQL's 63 bytes (found by review): a
 * type change of a 50-character column gave its four sync triggers one name, and two renamed columns sharing their
 * first 46 characters gave their column-list triggers one name, so expand failed ("trigger ... already exists"). Now
 * they get short names with a hash; both shapes are served while expanded, and the way up and down ends where the
 * plain change would.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { complete } from '../../src/commands/complete';
import { down } from '../../src/commands/down';
import { up } from '../../src/commands/up';
import { operationsDatabase, position, type OperationsDatabase } from './harness';
import { SEED } from './scenario';

const LONG = 'points_collected_by_this_user_since_the_first_day'; // 49 characters
const SHARED = 'preference_set_by_the_user_on_the_settings_pag'; // 46 characters
let h: OperationsDatabase;

beforeAll(async () => {
  expect([LONG.length, SHARED.length]).toEqual([49, 46]);
  h = await operationsDatabase('long_names', '900_operations', {
    text: `export const operations = [
      { alterColumn: { table: 'portal_users', column: '${LONG}', type: 'bigint', fromType: 'integer' } },
      { renameColumn: { table: 'portal_users', from: '${SHARED}_one', to: 'pref_one' } },
      { renameColumn: { table: 'portal_users', from: '${SHARED}_two', to: 'pref_two' } },
    ];`,
  });
  await h.db.knex.raw(`${SEED}; ALTER TABLE portal_users ADD COLUMN ${LONG} integer, ADD COLUMN ${SHARED}_one text, ADD COLUMN ${SHARED}_two text;
    UPDATE portal_users SET ${LONG} = length(email), ${SHARED}_one = 'one ' || email, ${SHARED}_two = 'two ' || email`);
});
afterAll(async () => {
  await h?.close();
});

const row = async () => (await h.db.knex.raw(`SELECT to_jsonb(t) - 'id' - 'created_at' - 'updated_at' AS r FROM portal_users t WHERE email = 'seed0007@x'`)).rows[0].r;
const syncTriggers = async () =>
  (await h.db.knex.raw(`SELECT tgname FROM pg_trigger WHERE tgrelid = 'portal_users'::regclass AND tgname LIKE 'konstruct%' ORDER BY tgname`)).rows.map(
    (r: { tgname: string }) => r.tgname,
  );

it('expands with a trigger of its own name each, and keeps both shapes in step', async () => {
  await up(h.ctx, { expand: true });
  expect(await position(h)).toEqual({ stepsDone: h.migration.expandedAt, midBatch: false });
  const triggers = await syncTriggers();
  // The swap's: insert, two column-list, catch-all; the renames' (one set for the table): insert, four column-list, catch-all.
  expect(triggers).toHaveLength(10);
  expect(new Set(triggers).size).toBe(10);
  // The old version writes the old names; the new version reads the new ones, and the other way round.
  await h.db.knex.raw(`UPDATE portal_users SET ${LONG} = 7, ${SHARED}_one = 'old wrote' WHERE email = 'seed0007@x'`);
  await h.db.knex.raw(`UPDATE portal_users SET pref_two = 'new wrote' WHERE email = 'seed0007@x'`);
  const r = await row();
  expect([r[`konstruct_new_${LONG}`], r.pref_one, r[`${SHARED}_two`]]).toEqual([7, 'old wrote', 'new wrote']);
});

it('completes as the plain change would, and goes down to the columns as they were', async () => {
  await complete(h.ctx, { force: true });
  expect(await position(h)).toBe('applied');
  expect(await syncTriggers()).toEqual([]);
  const after = await row();
  expect([after[LONG], after.pref_one, after.pref_two]).toEqual([7, 'old wrote', 'new wrote']);
  const { rows } = await h.db.knex.raw(`SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'portal_users'::regclass AND attname = ?`, [LONG]);
  expect(rows).toEqual([{ type: 'bigint' }]);

  await down(h.ctx, { to: '005', yes: true });
  expect(await position(h)).toBe('not started');
  const back = await row();
  expect([back[LONG], back[`${SHARED}_one`], back[`${SHARED}_two`]]).toEqual([7, 'old wrote', 'new wrote']);
  expect(await syncTriggers()).toEqual([]);
});
