/**
 * Applied operation migrations keep their behaviour: the SQL that operations
 * compile to is pinned here, for the 006 twin, for every operations migration
 * in migrations/, and for one example of each operation. A change to an
 * operation's generated SQL fails this test; see docs/online-migrations.md
 * ("Frozen behaviour") for what to do then.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listLocalMigrations } from '../../src/history/local-migrations';
import { loadMigration } from '../../src/model/load-migration';
import { compileOperations, type Operation } from '../../src/operations';
import { isBatched, isOutsideTransaction, type PhasedStep } from '../../src/phased/phased-migration';
import { SOURCE_MIGRATIONS_DIR } from '../support/context';
import { operations as rbacTwin } from './fixtures/006_rbac_roles_operations';

/** One example of each operation, with every option it has. */
const EXAMPLES: Record<string, Operation[]> = {
  addColumn: [{ addColumn: { table: 't', column: { name: 'c', type: 'text', nullable: false, default: `'x'`, comment: 'c', check: { name: 'ck_t_c', constraint: `c <> ''` }, references: { name: 't_c_fkey', table: 'u', column: 'k', onDelete: 'CASCADE' } }, up: 'b' } }],
  addColumnWithoutUp: [{ addColumn: { table: 't', column: { name: 'c', type: 'integer', nullable: false, default: '0' } } }],
  alterColumn: [{ alterColumn: { table: 't', column: 'c', type: 'text', fromType: 'varchar(20)', down: 'left(c, 20)', check: { name: 'ck_t_c', constraint: `c <> ''` }, unique: { name: 'uq_t_c' }, references: { name: 't_c_fkey', table: 'u', column: 'k' } } }],
  alterColumnThroughNewColumn: [{ alterColumn: { table: 't', column: 'c', type: 'bigint', fromType: 'integer', up: 'c::bigint * 10', down: '(c / 10)::integer' } }],
  alterColumnNotNullThroughNewColumn: [{ alterColumn: { table: 't', column: 'c', type: 'integer', fromType: 'text', nullable: false, up: 'c::integer', down: 'c::text' } }],
  alterColumnNullability: [{ alterColumn: { table: 't', column: 'a', nullable: false } }, { alterColumn: { table: 't', column: 'b', nullable: true } }],
  batch: [{ batch: { table: 't', name: 'touch', up: 'UPDATE t SET c = 1 WHERE {pages} AND c IS NULL', down: 'UPDATE t SET c = NULL WHERE {pages}' } }],
  createIndex: [{ createIndex: { table: 't', name: 'ix_t_c', columns: ['c', 'd'], unique: true, where: 'c > 0', method: 'btree' } }],
  createTable: [{ createTable: { table: 't', columns: [{ name: 'id', type: 'bigint', nullable: false }, { name: 'c', type: 'text', default: `'x'`, comment: 'c' }], primaryKey: ['id'] } }],
  dropColumn: [{ dropColumn: { table: 't', column: 'c', type: 'boolean', nullable: false, default: 'false', down: 'b > 0' } }],
  dropIndex: [{ dropIndex: { name: 'ix_t_c', table: 't', columns: ['c'] } }],
  dropTable: [{ dropTable: { table: 't', down: 'CREATE TABLE t (c text)' } }],
  renameColumn: [{ renameColumn: { table: 't', from: 'a', to: 'b' } }],
  sql: [{ sql: { up: 'CREATE TABLE t (c text)', down: 'DROP TABLE t' } }],
};

function render(steps: readonly PhasedStep[]): string {
  return steps
    .map((step) => {
      const kind = isBatched(step) ? 'batched' : isOutsideTransaction(step) ? 'outside a transaction' : 'transaction';
      const list = (l: readonly string[] = []) => l.map((s) => `    ${s.replace(/\n/g, '\n    ')}`).join('\n');
      return `## ${step.phase}: ${step.name} (${kind})\n  up:\n${list(step.statements?.up)}\n  down:\n${list(step.statements?.down)}`;
    })
    .join('\n');
}

describe('generated SQL is frozen', () => {
  it.each(Object.entries(EXAMPLES))('%s', async (name, operations) => {
    await expect(render(compileOperations(operations))).toMatchFileSnapshot(`snapshots/${name}.sql.txt`);
  });

  it('the 006 twin', async () => {
    await expect(render(compileOperations(rbacTwin))).toMatchFileSnapshot('snapshots/006_rbac_roles_operations.sql.txt');
  });

  it('every operations migration in migrations/', async () => {
    for (const file of readdirSync(SOURCE_MIGRATIONS_DIR).filter((f) => /^\d+_\w+\.ts$/.test(f))) {
      const name = file.replace(/\.ts$/, '');
      const local = listLocalMigrations(SOURCE_MIGRATIONS_DIR).find((m) => m.name === name)!;
      // The model keeps only the compiled steps: whether the file is written as operations is the module's to say.
      const mod = (await import(path.join(SOURCE_MIGRATIONS_DIR, file))) as { operations?: unknown; default?: { operations?: unknown } };
      if (!(mod.operations ?? mod.default?.operations)) continue;
      await expect(render((await loadMigration(local)).steps)).toMatchFileSnapshot(`snapshots/${name}.sql.txt`);
    }
  });

  it('every operation has an example here', async () => {
    const { OPERATION_NAMES } = await import('../../src/operations');
    expect(OPERATION_NAMES.filter((name) => !(name in EXAMPLES))).toEqual([]);
  });
});
