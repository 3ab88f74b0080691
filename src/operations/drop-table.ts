/**
 * dropTable { table, down? }: the table stays, and the old version is served,
 * until contract drops it. Its rows are gone then: going down past contract,
 * `down` (SQL) makes it again, empty; without `down` that refuses.
 */
import type { OperationParts } from './parts';
import { ident, literal } from './sql-names';

export interface DropTable {
  table: string;
  /** SQL that creates the table again (empty), for `down` past contract. */
  down?: string;
}

export function dropTable(op: DropTable): OperationParts {
  const back = op.down ?? `DO $konstruct$ BEGIN RAISE EXCEPTION ${literal(`dropTable ${op.table} cannot be undone: the operation gives no down to create it again`)}; END $konstruct$`;
  return { slots: { contract: { up: [`DROP TABLE ${ident(op.table)}`], down: [back] } } };
}
