/**
 * The fields each operation accepts, checked before anything is compiled: a typo (`nulable: false`) or a value
 * of the wrong shape (`columns: 'created_at'`) is refused with the element's path, instead of being ignored
 * (the column added nullable) or failing deep in the compiler ("Cannot read properties of undefined").
 *
 * The schemas mirror the operations' own types (add-column.ts, ...), which stay the documentation; the
 * assertions at the end fail the build when the two drift apart.
 */
// zod/v3, as the CLI's other schemas: see src/config/config-schema.ts for why.
import { z } from 'zod/v3';
import type { AddColumn } from './add-column';
import type { AlterColumn } from './alter-column';
import type { BatchOperation } from './batch';
import type { CheckConstraint, ColumnDefinition, ForeignKey } from './column';
import type { CreateIndex } from './create-index';
import type { CreateTable } from './create-table';
import type { DropColumn } from './drop-column';
import type { DropIndex } from './drop-index';
import type { DropTable } from './drop-table';
import type { RenameColumn } from './rename-column';
import type { SqlOperation } from './sql';

const text = z.string().min(1);
const check = z.strictObject({ name: text, constraint: text });
const references = z.strictObject({
  name: text, table: text, column: text,
  onDelete: z.enum(['CASCADE', 'SET NULL', 'SET DEFAULT', 'RESTRICT', 'NO ACTION']).optional(),
});
const column = z.strictObject({
  name: text, type: text, nullable: z.boolean().optional(), default: text.optional(),
  check: check.optional(), references: references.optional(), comment: z.string().optional(),
});
const indexFields = {
  table: text, name: text, columns: z.array(text).min(1), unique: z.boolean().optional(), where: text.optional(), method: text.optional(),
};

export const OPERATION_FIELDS = {
  addColumn: z.strictObject({ table: text, column, up: text.optional() }),
  dropColumn: z.strictObject({ table: text, column: text, down: text.optional(), type: text.optional(), nullable: z.boolean().optional(), default: text.optional() }),
  renameColumn: z.strictObject({ table: text, from: text, to: text }),
  alterColumn: z.strictObject({
    table: text, column: text, type: text.optional(), fromType: text.optional(), nullable: z.boolean().optional(),
    check: check.optional(), unique: z.strictObject({ name: text }).optional(), references: references.optional(), up: text.optional(), down: text.optional(),
  }).refine((op) => op.type === undefined || op.fromType !== undefined, {
    // Its `down` changes the column back to fromType in the expand step, the last going down: without it, down
    // would revert every later step, commit them, and only then fail.
    path: ['fromType'], message: 'missing: with `type`, give the type the column has now, which `down` changes it back to',
  }),
  createTable: z.strictObject({ table: text, columns: z.array(column).min(1), primaryKey: z.array(text).min(1).optional() }),
  createIndex: z.strictObject(indexFields),
  dropIndex: z.strictObject({ ...indexFields, table: text.optional(), columns: indexFields.columns.optional() }),
  dropTable: z.strictObject({ table: text, down: text.optional() }),
  sql: z.strictObject({ up: z.string(), down: z.string() }),
  batch: z.strictObject({ table: text, name: text, up: text.optional(), down: text.optional() }),
};

/** `operations[3].addColumn.column: unknown field "nulable"`, for the first problem zod found. */
export function fieldsProblem(name: keyof typeof OPERATION_FIELDS, fields: unknown, at: string): string | undefined {
  const result = OPERATION_FIELDS[name].safeParse(fields);
  if (result.success) return undefined;
  // A misspelt field is also a required one missing: the misspelling says more.
  const issue = result.error.issues.find((i) => i.code === 'unrecognized_keys') ?? result.error.issues[0]!;
  const where = [at, name, ...issue.path.map(String)].join('.').replace(/\.(\d+)(?=\.|$)/g, '[$1]');
  if (issue.code === 'unrecognized_keys') return `${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.received === 'undefined') return `${where}: missing`;
  if (issue.code === 'custom') return `${where}: ${issue.message}`;
  return `${where}: ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}`;
}

// The build fails here when a schema and its operation's type say different things.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Fields<K extends keyof typeof OPERATION_FIELDS> = z.infer<(typeof OPERATION_FIELDS)[K]>;
const agree = <T extends true>(_: T) => _;
agree<Same<z.infer<typeof check>, CheckConstraint>>(true);
agree<Same<z.infer<typeof references>, ForeignKey>>(true);
agree<Same<z.infer<typeof column>, ColumnDefinition>>(true);
agree<Same<Fields<'addColumn'>, AddColumn>>(true);
agree<Same<Fields<'dropColumn'>, DropColumn>>(true);
agree<Same<Fields<'renameColumn'>, RenameColumn>>(true);
agree<Same<Fields<'alterColumn'>, AlterColumn>>(true);
agree<Same<Fields<'createTable'>, CreateTable>>(true);
agree<Same<Fields<'createIndex'>, CreateIndex>>(true);
agree<Same<Fields<'dropIndex'>, DropIndex>>(true);
agree<Same<Fields<'dropTable'>, DropTable>>(true);
agree<Same<Fields<'sql'>, SqlOperation>>(true);
agree<Same<Fields<'batch'>, BatchOperation>>(true);
