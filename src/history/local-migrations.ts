/**
 * The migrations this code knows: files `NNN_name.{js,ts}` in the migrations
 * folder. A migration is named by its file name without extension, so history
 * written while running compiled `.js` matches history written from `.ts`
 * sources (knex stores the extension and calls the mismatch "corrupt").
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { ConfigError } from '../errors';
import { importModule } from '../esm-import';
import { assertWellFormed, offlineUpDown, refusePartWay, type PhasedStep } from '../phased/phased-migration';
import { checksumOfFile, readChecksumManifest } from './migration-checksums';

export interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
  /** knex's convention: `export const config = { transaction: false }` for e.g. CREATE INDEX CONCURRENTLY. */
  config?: { transaction?: boolean };
  /**
   * What reverting this migration would destroy, counted on the live database
   * before `down` runs; `down` refuses (or asks) when any count is above zero.
   * Knowledge of the migration, so it lives in the migration file.
   */
  dataLostOnDown?(knex: Knex): Promise<DataLoss[]>;
  /** A phased migration's steps (src/phased/phased-migration.ts); konstruct-migrate runs them one by one. */
  phases?: readonly PhasedStep[];
}

export interface DataLoss {
  /** e.g. "rows in user_tenant_roles". */
  what: string;
  count: number;
}

export interface LocalMigration {
  name: string;
  file: string;
  /** SHA-256 of the migration's source (see migration-checksums.ts). */
  checksum: string;
}

const MIGRATION_FILE = /^(\d+_[A-Za-z0-9_]+)\.(js|cjs|mjs|ts|cts|mts)$/;

/** Where this package's migrations live, beside the code that is running (dist/ or sources). */
export const DEFAULT_MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');

export function listLocalMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): LocalMigration[] {
  if (!existsSync(dir)) {
    throw new ConfigError(`the migrations folder ${dir} does not exist`, 'Check KONSTRUCT_MIGRATIONS_DIR, or unset it to use the packaged migrations.');
  }
  const manifest = readChecksumManifest(dir);
  const byName = new Map<string, Omit<LocalMigration, 'checksum'>>();
  for (const entry of readdirSync(dir).sort()) {
    if (entry.endsWith('.d.ts')) continue;
    const match = MIGRATION_FILE.exec(entry);
    if (!match) continue;
    const name = match[1]!;
    // A folder holds either compiled files or sources; prefer compiled JS if both appear.
    const existing = byName.get(name);
    if (!existing || entry.endsWith('.js')) byName.set(name, { name, file: path.join(dir, entry) });
  }
  return [...byName.values()]
    // By code unit, as knex sorts: no locale (whose first use also costs ~10 ms of ICU start-up).
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((m) => ({ ...m, checksum: manifest[m.name] ?? checksumOfFile(m.file) }));
}

export async function loadMigration(migration: Pick<LocalMigration, 'name' | 'file'>): Promise<MigrationModule> {
  const loaded = await loadModule(migration.file);
  const mod = (typeof loaded.up === 'function' || Array.isArray(loaded.phases) ? loaded : loaded.default) as MigrationModule;
  if (mod?.phases) {
    try {
      assertWellFormed(mod.phases);
    } catch (error) {
      throw new Error(`${migration.file}: ${(error as Error).message}`);
    }
    return { ...offlineUpDown(mod.phases), ...mod };
  }
  if (typeof mod?.up !== 'function' || typeof mod?.down !== 'function') {
    throw new Error(`${migration.file} must export async functions up(knex) and down(knex), or phases`);
  }
  return mod;
}

/**
 * CommonJS files (the compiled migrations) through require(): the first import()
 * of a process starts Node's ES module loader, ~10 ms of every `up` and `down`.
 * Other files, and .js files of an ES-module package, through import().
 */
async function loadModule(file: string): Promise<Record<string, unknown>> {
  if (/\.c?js$/.test(file)) {
    try {
      return require(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ESM') throw error;
    }
  }
  return importModule(pathToFileURL(file).href);
}

/**
 * The same list as a knex MigrationSource, so the stock `knex` CLI (knexfile.ts)
 * sees exactly the names konstruct-migrate records. While a phased migration
 * stands part-way, every migration it gives knex refuses to run (see refusePartWay). knex prints a pending
 * migration's `file`, so it carries the name too; the path is kept apart.
 */
interface SourceMigration {
  name: string;
  file: string;
  path: string;
}

export class KonstructMigrationSource implements Knex.MigrationSource<SourceMigration> {
  constructor(private readonly dir: string = DEFAULT_MIGRATIONS_DIR) {}
  async getMigrations(): Promise<SourceMigration[]> {
    return listLocalMigrations(this.dir).map((m) => ({ name: m.name, file: m.name, path: m.file }));
  }
  getMigrationName(migration: SourceMigration): string {
    return migration.name;
  }
  async getMigration(migration: SourceMigration): Promise<Knex.Migration> {
    const mod = await loadMigration({ name: migration.name, file: migration.path });
    const guarded = (direction: 'up' | 'down') => async (knex: Knex) => {
      await refusePartWay(knex, migration.name, direction);
      await mod[direction](knex);
    };
    return { ...mod, up: guarded('up'), down: guarded('down') };
  }
}
