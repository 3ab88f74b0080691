/**
 * alterColumn with a type change that would rewrite the table: made through a
 * new column (column-swap.ts). Both versions are served at every stopping
 * point: the old one writes the column in its old type, the new one the same
 * column (int -> bigint) or the new column by its documented name
 * (text -> integer) until contract, and the column after it. The end state is
 * a plain ALTER TYPE's except that the column is last (its plain indexes
 * carried over); what cannot be carried over is refused in expand, changing nothing.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { check } from '../../src/commands/check';
import { down } from '../../src/commands/down';
import { up } from '../../src/commands/up';
import { KonstructMigrationSource } from '../../src/engine/knex-migration-source';
import { compileOperations, type Operation } from '../../src/operations';
import { shadowColumn } from '../../src/operations/column-swap';
import { operationsDatabase, position, standAt, type OperationsDatabase } from './harness';
import { SEED, describeOperation } from './scenario';
import { adminUrl } from '../support/test-database';
import { always, newColumnWhileDeploying, writes } from './swap-writes';

const SCORE_SEED = `${SEED}; ALTER TABLE portal_users ADD COLUMN score integer DEFAULT 0 NOT NULL;
  COMMENT ON COLUMN portal_users.score IS 'points'; UPDATE portal_users SET score = length(email) * 1000 + ascii(substr(email, 8));
  CREATE INDEX ix_portal_users_score ON portal_users (score)`;
const SCORE_TO_BIGINT: Operation[] = [{ alterColumn: { table: 'portal_users', column: 'score', type: 'bigint', fromType: 'integer' } }];

describeOperation('alterColumn portal_users.score integer -> bigint (NOT NULL, a default, a comment, an index), through a new column', {
  operations: SCORE_TO_BIGINT,
  seed: SCORE_SEED,
  // The same change as plain SQL that also puts the column last (what differs from ALTER TYPE: the test below).
  plain: `ALTER TABLE portal_users ADD COLUMN score_new bigint; UPDATE portal_users SET score_new = score;
          ALTER TABLE portal_users DROP COLUMN score; ALTER TABLE portal_users RENAME COLUMN score_new TO score;
          ALTER TABLE portal_users ALTER COLUMN score SET NOT NULL, ALTER COLUMN score SET DEFAULT 0;
          COMMENT ON COLUMN portal_users.score IS 'points'; CREATE INDEX ix_portal_users_score ON portal_users (score)`,
  // The old version reads an integer (a number); the new one reads the column as bigint (a string from pg).
  old: writes(always('score'), 41, (c) => c),
  new: writes(always('score'), '42', (c) => `${c}::bigint`),
  newReadsOld: '41',
  oldReadsNew: 42,
});

const CODE_SEED = `${SEED}; ALTER TABLE portal_users ADD COLUMN code text;
  UPDATE portal_users SET code = CASE WHEN email LIKE '%3@x' THEN '' ELSE length(email)::text || substr(email, 5, 4) END;
  CREATE INDEX ix_portal_users_code ON portal_users USING hash (code)`;

describeOperation('alterColumn portal_users.code text -> integer with up and down, a hash index; the new version writes the new column by name', {
  operations: [{ alterColumn: { table: 'portal_users', column: 'code', type: 'integer', fromType: 'text', up: `nullif(code, '')::integer`, down: `coalesce(code::text, '')` } }],
  seed: CODE_SEED,
  plain: `ALTER TABLE portal_users ADD COLUMN code_new integer; UPDATE portal_users SET code_new = nullif(code, '')::integer;
          ALTER TABLE portal_users DROP COLUMN code; ALTER TABLE portal_users RENAME COLUMN code_new TO code;
          CREATE INDEX ix_portal_users_code ON portal_users USING hash (code)`,
  old: writes(always('code'), '17', (c) => c),
  new: writes(newColumnWhileDeploying('code'), 42, (c) => c),
  newReadsOld: 17,
  oldReadsNew: '42',
});

/** `seed` on two databases: one where the plain ALTER TYPE then ran, one with SCORE_TO_BIGINT pending. */
async function plainAndSwap(label: string, seed: string, run: (plain: OperationsDatabase, ours: OperationsDatabase) => Promise<void>): Promise<void> {
  const plain = await operationsDatabase(`plain${label}`, '900_noop', { text: `export const operations = [{ sql: { up: 'SELECT 1', down: 'SELECT 1' } }];` });
  const ours = await operationsDatabase(`swap${label}`, '900_operations', { text: `export const operations = ${JSON.stringify(SCORE_TO_BIGINT)};` });
  try {
    await plain.db.knex.raw(`${seed}; ALTER TABLE portal_users ALTER COLUMN score TYPE bigint`);
    await ours.db.knex.raw(seed);
    await run(plain, ours);
  } finally {
    await Promise.all([plain.close(), ours.close()]);
  }
}

/** The dump with `line` moved to be the last column of portal_users (a plain ALTER TYPE keeps its place). */
function movedLast(dump: string, line: string): string {
  const lines = dump.split('\n');
  const at = lines.indexOf(line);
  const end = lines.findIndex((l, i) => i > at && l === ');');
  expect({ at, end }).not.toMatchObject({ at: -1 });
  const moved = [...lines.slice(0, at), ...lines.slice(at + 1, end)];
  moved[moved.length - 1] += ',';
  return [...moved, line.replace(/,$/, ''), ...lines.slice(end)].join('\n');
}

describe('alterColumn through a new column against a plain ALTER TYPE', () => {
  it('the catalog differs only in the column\'s place: it is the table\'s last', () =>
    plainAndSwap('type', `${SCORE_SEED}; ALTER TABLE portal_users ADD COLUMN later text`, async (plain, ours) => {
      await up(ours.ctx);
      const plainDump = await dumpCatalog(plain.db.knex);
      expect(plainDump).toContain('    score bigint DEFAULT 0 NOT NULL,\n    later text\n);');
      expect(await dumpCatalog(ours.db.knex)).toBe(movedLast(plainDump, '    score bigint DEFAULT 0 NOT NULL,'));
    }));
});

describe('alterColumn through a new column, stopped and resumed', () => {
  it('killed after two batches of its backfill, the next up carries on from the cursor and ends as a plain migration would', () =>
    plainAndSwap('resume', SCORE_SEED, async (plain, h) => {
      await h.db.knex.raw('VACUUM FULL portal_users'); // the seed's UPDATE left its rows at the heap's end: back to the start
      const fill = h.steps.findIndex((s) => s.name === `fill portal_users: ${shadowColumn('score')}`);
      await standAt(h, fill + 1, 2);
      expect(await position(h)).toEqual({ stepsDone: fill, midBatch: true });
      // Half filled: the rows of the first two pages have the new column, the others not yet.
      const { rows } = await h.db.knex.raw(`SELECT count(*) FILTER (WHERE ${shadowColumn('score')} IS NULL)::int AS empty, count(*)::int AS n FROM portal_users`);
      expect(rows[0].empty).toBeGreaterThan(0);
      expect(rows[0].empty).toBeLessThan(rows[0].n);
      await up(h.ctx);
      expect(await position(h)).toBe('applied');
      const byEmail = `SELECT email, score FROM portal_users ORDER BY email`;
      expect((await h.db.knex.raw(byEmail)).rows).toEqual((await plain.db.knex.raw(byEmail)).rows);
      // score was the last column: here the two catalogs are the same.
      expect(await dumpCatalog(h.db.knex)).toBe(await dumpCatalog(plain.db.knex));
    }));

  it('check finds nothing unsafe in it on a large table: the contract renames the new column\'s index, it builds none (found by review)', async () => {
    const h = await operationsDatabase('swapcheck', '900_operations', { text: `export const operations = ${JSON.stringify(SCORE_TO_BIGINT)};` });
    try {
      await h.db.knex.raw(SCORE_SEED);
      const result = await check(h.ctx, { serverUrl: adminUrl(), thresholdRows: 0 });
      expect([result.pending, result.findings]).toEqual([['900_operations'], []]);
    } finally {
      await h.close();
    }
  });

  it('down past contract brings the old column back by a refill, never by ALTER TYPE: the table is not rewritten either way', async () => {
    const h = await operationsDatabase('swapdown', '900_operations', { text: `export const operations = ${JSON.stringify(SCORE_TO_BIGINT)};` });
    try {
      await h.db.knex.raw(SCORE_SEED);
      const file = async () => (await h.db.knex.raw(`SELECT relfilenode FROM pg_class WHERE oid = 'portal_users'::regclass`)).rows[0].relfilenode;
      const state = async () => ({ file: await file(), catalog: await dumpCatalog(h.db.knex), rows: (await h.db.knex.raw(`SELECT email, score FROM portal_users ORDER BY email`)).rows });
      const before = await state();
      await up(h.ctx);
      expect(await file()).toBe(before.file);
      await down(h.ctx, { yes: true });
      expect(await state()).toEqual(before);
    } finally {
      await h.close();
    }
  });

  it('an index build on the new column that a kill left INVALID is dropped and built again', async () => {
    const h = await operationsDatabase('swapinvalid', '900_operations', { text: `export const operations = ${JSON.stringify(SCORE_TO_BIGINT)};` });
    try {
      await h.db.knex.raw(SCORE_SEED);
      const indexStep = h.steps.findIndex((s) => s.name.startsWith('indexes of portal_users.score'));
      await standAt(h, indexStep); // expanded and backfilled; the index step next
      // A unique build over duplicates fails part-way and leaves an INVALID index behind, as a killed build does.
      const name = 'konstruct_new_ix_portal_users_score';
      await expect(h.db.knex.raw(`CREATE UNIQUE INDEX CONCURRENTLY ${name} ON portal_users (konstruct_new_score)`)).rejects.toThrow(/could not create unique index/);
      const validity = async () => (await h.db.knex.raw(`SELECT indisvalid, indisunique FROM pg_index WHERE indexrelid = to_regclass(?)`, [name])).rows;
      expect(await validity()).toEqual([{ indisvalid: false, indisunique: true }]);
      await standAt(h, indexStep + 1);
      expect(await validity()).toEqual([{ indisvalid: true, indisunique: false }]);
      await up(h.ctx);
      expect(await dumpCatalog(h.db.knex)).toContain('CREATE INDEX ix_portal_users_score ON public.portal_users USING btree (score);');
    } finally {
      await h.close();
    }
  });

  it('the offline path (the stock knex CLI) runs it in one transaction, indexes without CONCURRENTLY, and back', () =>
    plainAndSwap('offline', SCORE_SEED, async (plain, h) => {
      const before = await dumpCatalog(h.db.knex);
      const knexSource = new KonstructMigrationSource(path.dirname(h.migration.file));
      const mod = await knexSource.getMigration((await knexSource.getMigrations()).find((m) => m.name === h.migration.name)!);
      await h.db.knex.transaction(async (trx) => mod.up(trx));
      expect(await dumpCatalog(h.db.knex)).toBe(await dumpCatalog(plain.db.knex)); // score was last: the same catalog
      await h.db.knex.transaction(async (trx) => mod.down!(trx));
      expect(await dumpCatalog(h.db.knex)).toBe(before);
    }));

  it('--dry-run runs the whole path in one transaction and commits nothing', async () => {
    const h = await operationsDatabase('swapdry', '900_operations', { text: `export const operations = ${JSON.stringify(SCORE_TO_BIGINT)};` });
    try {
      await h.db.knex.raw(SCORE_SEED);
      const before = await dumpCatalog(h.db.knex);
      const result = await up(h.ctx, { dryRun: true });
      expect(result.dryRun!.map((s) => s.step)).toEqual(h.steps.map((s) => s.name));
      const statements = result.dryRun!.flatMap((s) => s.statements.map((x) => x.sql)).join('\n');
      expect(statements).toContain(`ADD COLUMN "${shadowColumn('score')}" bigint`);
      expect(statements).toContain('RENAME COLUMN "konstruct_new_score" TO "score"');
      expect(await position(h)).toBe('not started');
      expect(await dumpCatalog(h.db.knex)).toBe(before);
    } finally {
      await h.close();
    }
  });
});

describe('alterColumn type changes that cannot go through a new column', () => {
  const refused = async (seed: string, operations: Operation[], message: RegExp) => {
    const h = await operationsDatabase('swaprefused', '900_operations', { text: `export const operations = ${JSON.stringify(operations)};` });
    try {
      await h.db.knex.raw(seed);
      const before = await dumpCatalog(h.db.knex);
      await expect(up(h.ctx)).rejects.toThrow(message);
      expect(await dumpCatalog(h.db.knex)).toBe(before);
    } finally {
      await h.close();
    }
  };

  it('without fromType: refused as the list is read, before anything runs (loading.test.ts has it through the CLI)', () => {
    expect(() => compileOperations([{ alterColumn: { table: 'portal_users', column: 'name', type: 'bytea' } }]))
      .toThrow('operations[0].alterColumn.fromType: missing: with `type`, give the type the column has now');
  });

  // Before anything runs (start-checks.ts), length included; expand's own check (by type alone) stays behind it.
  it('a fromType that is not the column\'s type: refused', () =>
    refused(SEED, [{ alterColumn: { table: 'portal_users', column: 'name', type: 'bytea', fromType: 'integer' } }],
      /fromType integer is integer, but the column is character varying\(255\)/));

  it('a column in the primary key: refused, naming the key', () =>
    refused(SEED, [{ alterColumn: { table: 'portal_users', column: 'id', type: 'text', fromType: 'uuid' } }],
      /the old column's drop would take constraint portal_users_pkey on table portal_users along/));

  it('a partial index, and a view on the column: refused, naming them (the plain index is carried over)', () =>
    refused(`${SCORE_SEED}; CREATE INDEX ix_score ON portal_users (score) WHERE score > 0; CREATE VIEW scores AS SELECT score FROM portal_users`, SCORE_TO_BIGINT,
      /would take index ix_score, rule _RETURN on view scores along/));

  it('a default that does not fit the new type: refused', () =>
    refused(`${CODE_SEED}; ALTER TABLE portal_users ALTER COLUMN code SET DEFAULT ''`,
      [{ alterColumn: { table: 'portal_users', column: 'code', type: 'integer', fromType: 'text', up: `nullif(code, '')::integer` } }],
      /its default ''::text does not fit integer/));
});
