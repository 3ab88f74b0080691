/**
 * Each command loads each migration it runs once. The migrations below count
 * their loads in a global the test reads, and take themselves out of Node's
 * module cache as they load, so that every load evaluates the file again (as
 * the first load of each process does) and shows in the count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complete } from '../../src/commands/complete';
import { down } from '../../src/commands/down';
import { status } from '../../src/commands/status';
import { up } from '../../src/commands/up';
import type { MigrationContext } from '../../src/context';
import { testContext } from '../support/context';
import { tempMigrations, type TempMigrations } from '../support/temp-migrations';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const counted = (name: string) => `delete require.cache[module.id];
globalThis.konstructLoads ??= {};
globalThis.konstructLoads['${name}'] = (globalThis.konstructLoads['${name}'] ?? 0) + 1;
`;

const PLAIN = `${counted('001_plain')}
exports.up = async (knex) => { await knex.raw('CREATE TABLE counted (id int)'); };
exports.down = async (knex) => { await knex.raw('DROP TABLE counted'); };
exports.dataLostOnDown = async () => [{ what: 'rows in counted', count: 0 }];
`;

const PHASED = `${counted('002_phased')}
exports.phases = [
  { phase: 'expand', name: 'add column', up: async (knex) => { await knex.raw('ALTER TABLE counted ADD COLUMN n int'); }, down: async (knex) => { await knex.raw('ALTER TABLE counted DROP COLUMN n'); } },
  { phase: 'backfill', name: 'fill column', batch: { up: async (knex) => { await knex.raw('UPDATE counted SET n = 1'); return { next: null, rows: 0 }; } } },
  { phase: 'contract', name: 'index it', up: async (knex) => { await knex.raw('CREATE INDEX counted_n ON counted (n)'); }, down: async (knex) => { await knex.raw('DROP INDEX counted_n'); } },
];
`;

let db: TestDatabase;
let ctx: MigrationContext;
let migrations: TempMigrations;

beforeAll(async () => {
  migrations = tempMigrations({ '001_plain': PLAIN, '002_phased': PHASED });
  db = await createTestDatabase('loadonce');
  ctx = await testContext(db.url, migrations.dir);
});
afterAll(async () => {
  await ctx?.close();
  await db?.drop();
  migrations?.remove();
});

/** The loads of each migration while `run` ran. */
async function loadsDuring(run: () => Promise<unknown>): Promise<Record<string, number>> {
  (globalThis as { konstructLoads?: Record<string, number> }).konstructLoads = {};
  await run();
  return (globalThis as { konstructLoads?: Record<string, number> }).konstructLoads!;
}

describe('each command loads each migration it runs once', () => {
  it('up --dry-run, then up --expand', async () => {
    expect(await loadsDuring(() => up(ctx, { dryRun: true }))).toEqual({ '001_plain': 1, '002_phased': 1 });
    expect(await loadsDuring(() => up(ctx, { expand: true }))).toEqual({ '001_plain': 1, '002_phased': 1 });
  });

  it('status loads only the part-way migration, to say where it stands', async () => {
    const result = await loadsDuring(() => status(ctx));
    expect(result).toEqual({ '002_phased': 1 });
  });

  it('complete --dry-run, then complete', async () => {
    expect(await loadsDuring(() => complete(ctx, { dryRun: true }))).toEqual({ '002_phased': 1 });
    expect(await loadsDuring(() => complete(ctx))).toEqual({ '002_phased': 1 });
  });

  it('down --all --dry-run, then down --all (which also counts what it would destroy)', async () => {
    expect(await loadsDuring(() => down(ctx, { all: true, dryRun: true }))).toEqual({ '001_plain': 1, '002_phased': 1 });
    expect(await loadsDuring(() => down(ctx, { all: true }))).toEqual({ '001_plain': 1, '002_phased': 1 });
    expect(await db.knex('knex_migrations').count({ n: '*' })).toEqual([{ n: '0' }]);
  });
});
