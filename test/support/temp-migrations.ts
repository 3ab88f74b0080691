/**
 * A throwaway folder of plain JavaScript migrations, for tests that need a
 * migration the real history does not have (one that fails, sleeps, or runs
 * outside a transaction). The CLI is pointed at it with KONSTRUCT_MIGRATIONS_DIR.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TempMigrations {
  dir: string;
  write(name: string, source: string): void;
  remove(): void;
}

export function tempMigrations(files: Record<string, string> = {}): TempMigrations {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-migrations-'));
  const write = (name: string, source: string) => writeFileSync(path.join(dir, `${name}.js`), source);
  for (const [name, source] of Object.entries(files)) write(name, source);
  return { dir, write, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A migration module whose up/down run the given SQL. */
export function sqlMigration(upSql: string, downSql: string, extra = ''): string {
  return `exports.up = async (knex) => { await knex.raw(${JSON.stringify(upSql)}); };
exports.down = async (knex) => { await knex.raw(${JSON.stringify(downSql)}); };
${extra}`;
}
