/**
 * dropIndex { name, table?, columns?, unique?, where?, method? }
 *
 * DROP INDEX CONCURRENTLY at contract, in a step of its own: the old version
 * keeps its index until then. Going down past contract the index is built
 * again CONCURRENTLY from the definition given with it (table, columns, ...);
 * without one, down past contract refuses.
 */
import { createIndexSql, dropIndexSql, type CreateIndex } from './create-index';
import type { OperationParts } from './parts';
import { literal } from './sql-names';

export type DropIndex = { name: string } & Partial<Omit<CreateIndex, 'name'>>;

export function dropIndex(op: DropIndex): OperationParts {
  const definition = op.table && op.columns ? ({ ...op, table: op.table, columns: op.columns } as CreateIndex) : undefined;
  const refuse = `DO $konstruct$ BEGIN RAISE EXCEPTION ${literal(`dropIndex ${op.name} cannot be built again: the operation gives no table and columns`)}; END $konstruct$`;
  return {
    outside: [
      {
        phase: 'contract',
        name: `drop index ${op.name}`,
        up: { sql: dropIndexSql(op.name, true), inTransaction: dropIndexSql(op.name, false) },
        down: definition
          ? { dropInvalidIndex: op.name, sql: createIndexSql(definition, true), inTransaction: createIndexSql(definition, false) }
          : { sql: refuse, inTransaction: refuse },
      },
    ],
  };
}
