/**
 * One table-driven test for any operations migration: a scenario gives the
 * operations, the same change as plain SQL, and what each application version
 * writes and reads. It then checks, on a real PostgreSQL:
 *   - end state: the catalog and the seeded rows equal the plain migration's,
 *     and the table was never rewritten (its relfilenode is unchanged);
 *   - no step touches the table's rows or rewrites it while it holds a lock that
 *     blocks the application's reads or writes (lock-profile.ts);
 *   - at every stopping point (after each step, and a kill mid-backfill), both
 *     versions write and read back what they wrote; then `down` ends
 *     exactly (the catalog as the seed left it, and the seeded rows).
 * Resuming `up` from each stopping point, after a real SIGKILL there, is
 * sigkill-boundaries.test.ts's.
 */
import { describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { down } from '../../src/commands/down';
import { up } from '../../src/commands/up';
import { compileOperations, type Operation } from '../../src/operations';
import { createTestDatabase } from '../support/test-database';
import { operationsDatabase, position, standAt, stoppingPoints, type OperationsDatabase } from './harness';
import { lockProfile } from './lock-profile';

/** What one application version does: write a row of its own (insert, then update), and read it back. */
export interface VersionWrites {
  /** Inserts and updates the row with this email, in this version's shape. */
  write(knex: Knex, email: string): Promise<void>;
  /** What this version reads back of that row. */
  read(knex: Knex, email: string): Promise<unknown>;
  /** What it must read (or, given the row's email, computes it). */
  wrote: unknown | ((email: string) => unknown);
}

export interface Scenario {
  /** The text of `export const operations: Operation[] = [...]`'s array. */
  operations: Operation[];
  /** The same change as a plain migration. */
  plain: string;
  /** The table whose relfilenode must not change (no rewrite). */
  table?: string;
  old?: VersionWrites;
  new?: VersionWrites;
  /** What the new version reads of the old version's row, and the other way round, while both are served. */
  newReadsOld?: unknown | ((email: string) => unknown);
  oldReadsNew?: unknown | ((email: string) => unknown);
  /** Rows before the migration, for several heap pages (default: 600 users); it may add columns: `down` ends where it left the catalog. */
  seed?: string;
}

export const SEED = `INSERT INTO portal_users (email, hashed_password, name, is_admin, created_at, updated_at)
  SELECT 'seed' || lpad(i::text, 4, '0') || '@x', 'h', 'User ' || i, i % 7 = 0, '2020-01-01', '2020-01-01' FROM generate_series(1, 600) AS i`;

/** Seeded rows as JSON, without generated ids (which differ between two databases). */
async function seededRows(knex: Knex, table: string): Promise<unknown[]> {
  if (table !== 'portal_users') return [];
  const { rows } = await knex.raw(`SELECT to_jsonb(t) - 'id' AS r FROM portal_users t WHERE email LIKE 'seed%' ORDER BY email`);
  return rows.map((r: { r: unknown }) => r.r);
}

const relfilenode = async (knex: Knex, table: string) => (await knex.raw(`SELECT relfilenode FROM pg_class WHERE oid = ?::regclass`, [table])).rows[0]?.relfilenode;

/** The plain migration's end state, on a database of its own. */
async function plainEndState(scenario: Scenario, table: string): Promise<{ catalog: string; rows: unknown[] }> {
  const h = await operationsDatabase('plain', '900_noop', { text: `export const operations = [{ sql: { up: 'SELECT 1', down: 'SELECT 1' } }];` });
  try {
    await h.db.knex.raw(scenario.seed ?? SEED);
    await h.db.knex.raw(scenario.plain);
    return { catalog: await dumpCatalog(h.db.knex), rows: await seededRows(h.db.knex, table) };
  } finally {
    await h.close();
  }
}

const expected = (value: unknown, email: string) => (typeof value === 'function' ? value(email) : value);

async function bothVersionsWrite(h: OperationsDatabase, scenario: Scenario, tag: string): Promise<void> {
  for (const [who, version] of [['old', scenario.old], ['new', scenario.new]] as const) {
    if (!version) continue;
    const email = `${who}-${tag}@x`;
    await version.write(h.db.knex, email);
    expect({ who, read: await version.read(h.db.knex, email) }).toEqual({ who, read: expected(version.wrote, email) });
  }
  if (scenario.old && scenario.new) {
    const [oldRow, newRow] = [`old-${tag}@x`, `new-${tag}@x`];
    expect({ newReadsOld: await scenario.new.read(h.db.knex, oldRow), oldReadsNew: await scenario.old.read(h.db.knex, newRow) })
      .toEqual({ newReadsOld: expected(scenario.newReadsOld, oldRow), oldReadsNew: expected(scenario.oldReadsNew, newRow) });
  }
}

export function describeOperation(title: string, scenario: Scenario): void {
  const table = scenario.table ?? 'portal_users';
  const source = `export const operations = ${JSON.stringify(scenario.operations, null, 2)};\n`;
  describe(title, () => {
    it('after up: the plain migration\'s catalog and rows, the table never rewritten; down: the catalog before, exactly', async () => {
      const plain = await plainEndState(scenario, table);
      const h = await operationsDatabase('op', '900_operations', { text: source });
      try {
        await h.db.knex.raw(scenario.seed ?? SEED);
        const before = await seededRows(h.db.knex, table);
        const catalogBefore = await dumpCatalog(h.db.knex);
        const file = await relfilenode(h.db.knex, table);
        await up(h.ctx);
        expect(await position(h)).toBe('applied');
        expect(await dumpCatalog(h.db.knex)).toBe(plain.catalog);
        expect(await seededRows(h.db.knex, table)).toEqual(plain.rows);
        if (file !== undefined) expect(await relfilenode(h.db.knex, table)).toBe(file);
        await down(h.ctx, { yes: true });
        expect(await dumpCatalog(h.db.knex)).toBe(catalogBefore);
        expect(await seededRows(h.db.knex, table)).toEqual(before);
      } finally {
        await h.close();
      }
    });

    it('no step reads or writes the table\'s rows, or rewrites it, under a lock that blocks the application', async () => {
      const h = await operationsDatabase('oplocks', '900_operations', { text: source });
      try {
        await h.db.knex.raw(scenario.seed ?? SEED);
        const profile = await lockProfile(h.db.knex, h.steps, 'portal_users');
        expect(profile.filter((s) => s.rowsUnderBlockingLock > 0 || s.rewritten)).toEqual([]);
      } finally {
        await h.close();
      }
    });

    it('at every stopping point both versions write and read back; down then ends at the catalog before', async () => {
      const h = await operationsDatabase('opstops', '900_operations', { text: source });
      try {
        await h.db.knex.raw(scenario.seed ?? SEED);
        const before = await seededRows(h.db.knex, table);
        const catalogBefore = await dumpCatalog(h.db.knex);
        for (const point of stoppingPoints(compileOperations(scenario.operations))) {
          await standAt(h, point.stepsDone, point.afterBatches);
          // Both versions are served until contract; after it only the new one is.
          const tag = point.label.replace(/\W+/g, '-').slice(0, 40);
          const contracted = h.steps.slice(0, point.stepsDone).some((s) => s.phase === 'contract');
          await bothVersionsWrite(h, contracted ? { ...scenario, old: undefined } : scenario, tag);
          await down(h.ctx, { yes: true });
          expect({ point: point.label, catalog: await dumpCatalog(h.db.knex) }).toEqual({ point: point.label, catalog: catalogBefore });
          expect(await seededRows(h.db.knex, table)).toEqual(before);
        }
      } finally {
        await h.close();
      }
    });
  });
}

/**
 * Shorthands for the scenarios: one version's insert and update of one
 * portal_users column. Every `?` of `insertValues` is the row's email; `value`
 * may be computed from it (for unique columns).
 */
export function writesOf(column: string, value: unknown, insertColumns = `email, hashed_password, name, is_admin`, insertValues = `?, 'h', 'n', false`): VersionWrites {
  return {
    write: async (knex, email) => {
      await knex.raw(`INSERT INTO portal_users (${insertColumns}) VALUES (${insertValues})`, insertValues.split('?').slice(1).map(() => email));
      await knex.raw(`UPDATE portal_users SET ${column} = ? WHERE email = ?`, [expected(value, email), email]);
    },
    read: async (knex, email) => (await knex.raw(`SELECT ${column} AS v FROM portal_users WHERE email = ?`, [email])).rows[0]?.v,
    wrote: value,
  };
}
