/**
 * What changed on the existing tables between two TableState snapshots taken
 * around one statement, plus what the server said about it at DEBUG1 level
 * ("rewriting table", "verifying table", "existing constraints ... are
 * sufficient to prove ..."). Pure: tested without a server.
 */
import type { ObservedStatement, RewriteCause } from './observation';
import { strength, strongest } from './lock-modes';
import type { TableState } from './table-state';

export type StatementChanges = Pick<
  ObservedStatement,
  'locks' | 'held' | 'indexLocked' | 'rewritten' | 'rewriteCauses' | 'verified' | 'indexesBuilt' | 'validated' | 'notNullSet' | 'removed'
>;

const VERIFYING = /^verifying table "(.+)"$/;
// PostgreSQL 15 quotes "table.column" as one name; accept both spellings.
const PROVED = /^existing constraints on column "([^"]+?)"?\."?([^"]+)" are sufficient to prove that it does not contain nulls$/;

export function diffStates(before: TableState[], after: TableState[], notices: string[], locksSeen: boolean): StatementChanges {
  const now = new Map(after.map((t) => [t.oid, t]));
  const changes: StatementChanges = {
    locks: locksSeen ? [] : null, held: locksSeen ? [] : null, rewritten: [], rewriteCauses: [], verified: [], indexesBuilt: [], validated: [], notNullSet: [], removed: [],
  };
  const proved = new Set(notices.map((n) => PROVED.exec(n)).filter((m) => m !== null).map((m) => `${m[1]}.${m[2]}`));
  const verified = new Set(notices.map((n) => VERIFYING.exec(n)?.[1]).filter((n) => n !== undefined));
  for (const old of before) {
    const table = now.get(old.oid);
    if (!table) {
      changes.removed.push({ table: old.name });
      continue;
    }
    // Moved to another schema (SET SCHEMA): gone from where the application finds it, as a rename is (found by review).
    if (old.schema !== undefined && table.schema !== old.schema) changes.removed.push({ table: old.name, renamedTo: `${table.schema}.${table.name}` });
    else if (table.name !== old.name) changes.removed.push({ table: old.name, renamedTo: table.name });
    const newMode = strongest(table.locks.filter((m) => !old.locks.includes(m) && strength(m) > Math.max(-1, ...old.locks.map(strength))));
    if (newMode && changes.locks) changes.locks.push({ table: table.name, mode: newMode });
    const heldMode = strongest(table.locks);
    if (heldMode && changes.held) changes.held.push({ table: table.name, mode: heldMode });
    const indexMode = strongest(table.indexLocks ?? []);
    if (indexMode && locksSeen) (changes.indexLocked ??= []).push({ table: table.name, mode: indexMode });
    if (table.filenode !== old.filenode) {
      changes.rewritten.push(table.name);
      changes.rewriteCauses.push(...rewriteCauses(old, table));
    } else if (verified.has(table.name)) {
      changes.verified.push(table.name);
    }
    // An index is known by its oid, not its name: one renamed to a name another had (a column swap's contract) was
    // not built by the statement (found by review: a documented online type change was refused as an index build).
    // Built: an index that was not there (but for one a rewrite made again under its name: ALTER TYPE re-creates the
    // column's indexes, and the rewrite says so); or built anew (REINDEX) with the table itself not rewritten.
    const rewritten = table.filenode !== old.filenode;
    const before = new Map((old.indexFiles ?? []).map(indexFile).map((f) => [f.oid, f]));
    for (const file of (table.indexFiles ?? []).map(indexFile)) {
      const was = before.get(file.oid);
      const built = was ? !rewritten && was.filenode !== file.filenode : !(rewritten && old.indexes.includes(file.name));
      if (built) changes.indexesBuilt.push({ table: table.name, index: file.name });
    }
    for (const k of table.constraints) {
      const was = old.constraints.find((o) => o.name === k.name && o.type === k.type);
      const kind = k.type === 'c' ? 'check' : k.type === 'f' ? 'foreign key' : undefined;
      if (kind && k.validated && !was?.validated) changes.validated.push({ table: table.name, constraint: k.name, kind });
    }
    const oldColumns = new Map(old.columns.map((c) => [c.num, c]));
    for (const column of table.columns) {
      const was = oldColumns.get(column.num);
      if (was && !was.notnull && column.notnull) {
        changes.notNullSet.push({ table: table.name, column: column.name, proved: proved.has(`${table.name}.${column.name}`) });
      }
      if (was && was.name !== column.name) changes.removed.push({ table: table.name, column: was.name, renamedTo: column.name });
    }
    const kept = new Set(table.columns.map((c) => c.num));
    for (const was of old.columns) if (!kept.has(was.num)) changes.removed.push({ table: table.name, column: was.name });
  }
  return changes;
}

/** Why a table was rewritten, as its columns show: a column added with a default (a constant one would not rewrite), or a type changed. */
function rewriteCauses(old: TableState, table: TableState): RewriteCause[] {
  if (table.kind === 'm') return [{ table: table.name, kind: 'refresh' }];
  const oldColumns = new Map(old.columns.map((c) => [c.num, c]));
  const causes: RewriteCause[] = [];
  for (const column of table.columns) {
    const was = oldColumns.get(column.num);
    if (!was && column.default !== null && column.generated) causes.push({ table: table.name, kind: 'generated column', column: column.name, expression: column.default });
    else if (!was && column.default !== null) causes.push({ table: table.name, kind: 'volatile default', column: column.name, default: column.default });
    if (was && was.type !== column.type) causes.push({ table: table.name, kind: 'type change', column: column.name, from: was.type, to: column.type });
  }
  return causes;
}

/** `oid:filenode:name` (table-state.ts). */
function indexFile(entry: string): { oid: string; filenode: string; name: string } {
  const [oid, filenode] = entry.split(':', 2) as [string, string];
  return { oid, filenode, name: entry.slice(oid.length + filenode.length + 2) };
}
