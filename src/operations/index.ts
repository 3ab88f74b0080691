/**
 * Declarative online operations (docs/online-migrations.md). A migration says
 *
 *   import type { Operation } from '../src/operations';   // types only
 *   export const operations: Operation[] = [{ renameColumn: { table: 'portal_users', from: 'name', to: 'display_name' } }];
 *
 * and the loader compiles the list into phased steps (compile.ts). Adding an
 * operation: one file here exporting its fields' type and a function to its
 * parts (parts.ts), and one line in OPERATIONS.
 */
import type { PhasedStep } from '../phased/phased-migration';
import { addColumn } from './add-column';
import { alterColumn } from './alter-column';
import { batch } from './batch';
import { compileParts } from './compile';
import { createIndex } from './create-index';
import { createTable } from './create-table';
import { dropColumn } from './drop-column';
import { dropIndex } from './drop-index';
import type { ListContext } from './list-context';
import { dropTable } from './drop-table';
import { fieldsProblem } from './operation-fields';
import type { OperationParts } from './parts';
import { renameColumn } from './rename-column';
import { sql } from './sql';

const OPERATIONS = {
  addColumn,
  dropColumn,
  renameColumn,
  alterColumn,
  createTable,
  createIndex,
  dropIndex,
  dropTable,
  sql,
  batch,
};

type Registry = typeof OPERATIONS;
export const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];
export type OperationName = keyof Registry;
/** One element of `operations`: `{ <operation name>: <its fields> }`. */
export type Operation = { [K in OperationName]: { [P in K]: Parameters<Registry[K]>[0] } }[OperationName];

export type { AddColumn } from './add-column';
export type { AlterColumn } from './alter-column';
export type { BatchOperation } from './batch';
export type { ColumnDefinition, CheckConstraint, ForeignKey } from './column';
export type { CreateIndex } from './create-index';
export type { CreateTable } from './create-table';
export type { DropColumn } from './drop-column';
export type { DropIndex } from './drop-index';
export type { DropTable } from './drop-table';
export type { RenameColumn } from './rename-column';
export type { SqlOperation } from './sql';

function label(name: string, fields: Record<string, unknown>): string {
  const column = (fields.column as { name?: string } | string | undefined);
  const columnName = typeof column === 'string' ? column : column?.name ?? fields.from;
  return [name, [fields.table ?? fields.name, columnName].filter(Boolean).join('.')].filter(Boolean).join(' ');
}

/**
 * Columns an index of the same list must not be built on: until contract they are a copy that contract drops. A
 * renamed column's index is built on `from` (the column itself, renamed at contract); a retyped one's, after it.
 */
function columnsReplacedBy(operations: readonly Operation[]): Map<string, string> {
  const replaced = new Map<string, string>();
  for (const o of operations) {
    if (!o || typeof o !== 'object') continue;
    if ('renameColumn' in o && o.renameColumn) {
      const { table, from, to } = o.renameColumn;
      replaced.set(`${table}\u0000${to}`, `is renameColumn's new name, a copy until contract drops it: build the index on ${from} (the column itself, renamed ${to} at contract)`);
    }
    if ('alterColumn' in o && o.alterColumn?.type !== undefined) {
      const { table, column } = o.alterColumn;
      replaced.set(`${table}\u0000${column}`, 'changes type in this list (through a new column where PostgreSQL would rewrite): build the index in a following migration');
    }
  }
  return replaced;
}

/** Throws, naming the element and the field, when `operations` is not a list of known operations with the fields each takes. */
export function compileOperations(operations: readonly Operation[]): PhasedStep[] {
  if (!Array.isArray(operations) || operations.length === 0) throw new Error('operations: give at least one operation');
  const list: ListContext = {
    indexesCreatedHere: new Set(operations.flatMap((o) => (o && typeof o === 'object' && 'createIndex' in o ? [o.createIndex?.name] : []))),
    columnsReplacedHere: columnsReplacedBy(operations),
  };
  return compileParts(
    operations.map((element, i) => {
      const keys = element && typeof element === 'object' ? Object.keys(element) : [];
      const name = keys[0] as OperationName;
      if (keys.length !== 1 || !(name in OPERATIONS)) {
        throw new Error(`operations[${i}]: expected one of ${Object.keys(OPERATIONS).join(', ')} as its only key, got ${keys.join(', ') || typeof element}`);
      }
      const fields = (element as Record<string, Record<string, unknown>>)[name]!;
      const problem = fieldsProblem(name, fields, `operations[${i}]`);
      if (problem) throw new Error(problem);
      const parts = (OPERATIONS[name] as (f: unknown, list: ListContext) => OperationParts | OperationParts[])(fields, list);
      return { label: label(name, fields), parts: Array.isArray(parts) ? parts : [parts] };
    }),
  );
}
