/** The fields of every operation of one kind in a list, and the tables a list changes. */
import type { Operation, OperationName } from '../index';

type FieldsOf<K extends OperationName> = Extract<Operation, Record<K, unknown>>[K];

export function operationsOf<K extends OperationName>(operations: readonly Operation[], name: K): Array<FieldsOf<K>> {
  return operations.flatMap((o) => (name in o ? [(o as unknown as Record<K, FieldsOf<K>>)[name]] : []));
}

/**
 * Whether an operation's steps walk its table's rows in batches (a backfill up, or a refill going down): a rename's
 * copy, a type change through a new column, an added column filled from `up`, a dropped column refilled from `down`.
 */
function walksRows(name: string, fields: Record<string, unknown>): boolean {
  switch (name) {
    case 'renameColumn': return true;
    case 'alterColumn': return fields.type !== undefined;
    case 'addColumn': return fields.up !== undefined;
    case 'dropColumn': return fields.down !== undefined;
    default: return false;
  }
}

/** The tables an operations list changes in place (not one it creates); `walked`: only those it backfills. */
export function tablesChangedBy(operations: readonly Operation[], walked = false): string[] {
  const tables = operations.flatMap((element) => {
    const [name, fields] = Object.entries(element)[0] as [string, Record<string, unknown> & { table?: string }];
    if (name === 'createTable' || name === 'sql' || typeof fields?.table !== 'string') return [];
    return !walked || walksRows(name, fields) ? [fields.table] : [];
  });
  return [...new Set(tables)];
}

