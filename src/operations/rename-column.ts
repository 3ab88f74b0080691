/**
 * renameColumn { table, from, to }
 *
 * Both names are served until contract: expand adds `to` as a copy (same type,
 * nullable), triggers keep the two equal whichever version writes, and the
 * backfill fills the copy. At contract the copy goes and the original column is
 * renamed, so the end state is a plain RENAME's exactly: same position, every
 * constraint, index, default and statistics kept. During the deploy `to` has no
 * index or constraint of its own (reads by it do not use `from`'s indexes).
 */
import { addColumnLikeSql } from './column';
import type { OperationParts } from './parts';
import { ident } from './sql-names';

export interface RenameColumn {
  table: string;
  from: string;
  to: string;
}

export function renameColumn(op: RenameColumn): OperationParts {
  const t = `ALTER TABLE ${ident(op.table)}`;
  const [from, to] = [ident(op.from), ident(op.to)];
  return {
    table: op.table,
    slots: {
      expand: { up: [addColumnLikeSql(op.table, op.to, op.from)], down: [`${t} DROP COLUMN ${to}`] },
      contract: {
        up: [`${t} DROP COLUMN ${to}`, `${t} RENAME COLUMN ${from} TO ${to}`],
        down: [`${t} RENAME COLUMN ${to} TO ${from}`, addColumnLikeSql(op.table, op.to, op.from)],
      },
    },
    rules: [
      { column: op.to, expression: from, sources: [op.from] },
      { column: op.from, expression: to, sources: [op.to], insertWhenGiven: op.to },
    ],
    fillUp: [{ column: op.to, expression: from }],
    fillDown: [{ column: op.to, expression: from }],
  };
}
