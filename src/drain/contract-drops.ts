/**
 * What a phased migration's contract will drop: the tables and columns that
 * exist in the schema before it (the previous migration's snapshot) and are gone
 * from the schema after it (its own snapshot, schema/after-<name>.sql).
 *
 * Read from the snapshots rather than from the migration's code, so it works the
 * same for hand-written phased migrations (006) and operation lists, and names
 * no migration. Without both snapshots nothing is known, and the drain gate says so.
 */
import { existsSync } from 'node:fs';
import type { Catalog } from '../catalog/catalog';
import { loadSnapshot, snapshotPath } from '../catalog/snapshot-files';

export interface ContractDrops {
  /** Tables the contract drops whole. */
  tables: string[];
  /** Columns the contract drops from tables that stay. */
  columns: Array<{ table: string; column: string }>;
}

export const NOTHING_DROPPED: ContractDrops = { tables: [], columns: [] };

/** Null when a snapshot is missing (then what the contract drops is unknown). */
export function contractDrops(snapshotsDir: string, before: string | undefined, migration: string): ContractDrops | null {
  if (!before) return NOTHING_DROPPED;
  if (![before, migration].every((name) => existsSync(snapshotPath(snapshotsDir, name)))) return null;
  return dropsBetween(loadSnapshot(snapshotsDir, before).catalog, loadSnapshot(snapshotsDir, migration).catalog);
}

export function dropsBetween(before: Catalog, after: Catalog): ContractDrops {
  const afterTables = new Map(after.tables.map((t) => [t.name, new Set(t.columns.map((c) => c.name))]));
  const drops: ContractDrops = { tables: [], columns: [] };
  for (const table of before.tables) {
    const kept = afterTables.get(table.name);
    if (!kept) drops.tables.push(table.name);
    else for (const c of table.columns) if (!kept.has(c.name)) drops.columns.push({ table: table.name, column: c.name });
  }
  return drops;
}

/** Every name a statement of the old application version would use: dropped tables, and dropped columns. */
export function droppedNames(drops: ContractDrops): string[] {
  return [...drops.tables, ...drops.columns.map((c) => c.column)];
}

export function isEmpty(drops: ContractDrops): boolean {
  return drops.tables.length === 0 && drops.columns.length === 0;
}

/** What `migration`'s contract drops, judged against the migration before it in `names` (the local list, in order). */
export function contractDropsIn(snapshotsDir: string, names: readonly string[], migration: string): ContractDrops | null {
  const at = names.indexOf(migration);
  return contractDrops(snapshotsDir, at > 0 ? names[at - 1] : undefined, migration);
}
