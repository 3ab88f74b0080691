/**
 * The migrations this code knows: files `NNN_name.{js,ts}` in the migrations
 * folder. A migration is named by its file name without extension, so history
 * written while running compiled `.js` matches history written from `.ts`
 * sources (knex stores the extension and calls the mismatch "corrupt").
 *
 * Sources run as written. A compiled copy (dist/migrations) stands in for a
 * source only when the build's checksum manifest proves it was compiled from
 * exactly that text; a copy older than, or different from, its source is never
 * run (migrations-folder.ts, require-typescript.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { ConfigError, KonstructError } from '../errors';
import { importModule } from '../esm-import';
import { assertWellFormed, offlineUpDown, refusePartWay, type PhasedStep } from '../phased/phased-migration';
import { compileOperations, type Operation } from '../operations';
import { checksumOfFile, readChecksumManifest } from './migration-checksums';
import { COMPILED_MIGRATIONS_DIR, compiledCopiesOf, DEFAULT_MIGRATIONS_DIR, SOURCE_MIGRATIONS_DIR } from './migrations-folder';
import { requireTypeScript } from './require-typescript';

export { DEFAULT_MIGRATIONS_DIR };

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
  /** Declarative operations (src/operations); the loader compiles them into `phases`. */
  operations?: readonly Operation[];
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
  /** A compiled copy built from exactly this source, run instead of compiling it again. */
  compiled?: string;
}

const MIGRATION_FILE = /^(\d+_[A-Za-z0-9_]+)\.(js|cjs|mjs|ts|cts|mts)$/;
const TYPESCRIPT = /\.[cm]?ts$/;

export function listLocalMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): LocalMigration[] {
  if (!existsSync(dir)) {
    throw new ConfigError(`the migrations folder ${dir} does not exist`, 'Check KONSTRUCT_MIGRATIONS_DIR, or unset it to use the packaged migrations.');
  }
  const files = migrationFiles(dir);
  const manifest = readChecksumManifest(dir);
  const migrations = files.map((m) => ({ ...m, checksum: TYPESCRIPT.test(m.file) ? checksumOfFile(m.file) : manifest[m.name] ?? checksumOfFile(m.file) }));
  if (path.resolve(dir) === COMPILED_MIGRATIONS_DIR) assertBuiltFromSources(migrations);
  const compiledDir = compiledCopiesOf(dir);
  return compiledDir ? withCompiledCopies(migrations, compiledDir) : migrations;
}

/** name -> file, sorted by name. */
function migrationFiles(dir: string): Array<{ name: string; file: string }> {
  const byName = new Map<string, { name: string; file: string }>();
  for (const entry of readdirSync(dir)) {
    if (entry.endsWith('.d.ts')) continue;
    const match = MIGRATION_FILE.exec(entry);
    if (!match) continue;
    const name = match[1]!;
    // A .js beside its .ts source may be older than it: the source is what was written.
    const existing = byName.get(name);
    if (!existing || TYPESCRIPT.test(entry)) byName.set(name, { name, file: path.join(dir, entry) });
  }
  // By code unit, as knex sorts: no locale (whose first use also costs ~10 ms of ICU start-up).
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Marks the sources whose compiled copy the build's manifest proves identical. */
function withCompiledCopies(sources: LocalMigration[], compiledDir: string): LocalMigration[] {
  const manifest = readChecksumManifest(compiledDir);
  return sources.map((m) => {
    const compiled = path.join(compiledDir, `${m.name}.js`);
    return manifest[m.name] === m.checksum && existsSync(compiled) ? { ...m, compiled } : m;
  });
}

/**
 * Running dist/migrations by name (KONSTRUCT_MIGRATIONS_DIR) in a checkout whose
 * sources changed since the build would run old code: refused, naming the difference.
 */
function assertBuiltFromSources(compiled: LocalMigration[]): void {
  if (!existsSync(SOURCE_MIGRATIONS_DIR)) return;
  const sources = new Map(migrationFiles(SOURCE_MIGRATIONS_DIR).map((m) => [m.name, checksumOfFile(m.file)]));
  const built = new Map(compiled.map((m) => [m.name, m.checksum]));
  const stale = [...new Set([...sources.keys(), ...built.keys()])]
    .filter((name) => sources.get(name) !== built.get(name))
    .sort();
  if (stale.length > 0) {
    throw new ConfigError(
      `${COMPILED_MIGRATIONS_DIR} was not built from the sources in ${SOURCE_MIGRATIONS_DIR} as they are now (${stale.join(', ')}).`,
      'Run `npm run build`, or unset KONSTRUCT_MIGRATIONS_DIR to run the sources as written.',
    );
  }
}

/**
 * A file that does not load (a syntax error in a migration being written, a
 * missing export) is the author's to fix, so it is reported as a usage error
 * naming the file and the place, not as an internal failure.
 */
export async function loadMigration(migration: Pick<LocalMigration, 'name' | 'file' | 'compiled'>): Promise<MigrationModule> {
  const file = migration.compiled ?? migration.file;
  let loaded: Record<string, unknown>;
  try {
    loaded = await loadModule(file);
  } catch (error) {
    if (error instanceof KonstructError) throw error;
    throw new ConfigError(`${file} cannot be loaded: ${whatWentWrong(error, file)}`, 'Fix the migration, then run the command again.');
  }
  const own = typeof loaded.up === 'function' || Array.isArray(loaded.phases) || Array.isArray(loaded.operations);
  const mod = (own ? loaded : loaded.default) as MigrationModule;
  if (mod?.operations && !mod.phases) {
    try {
      return { ...mod, ...withPhases(compileOperations(mod.operations)) };
    } catch (error) {
      throw new ConfigError(`${file}: ${(error as Error).message}`, 'Fix its operations (see docs/online-migrations.md), then run the command again.');
    }
  }
  if (mod?.phases) {
    try {
      assertWellFormed(mod.phases);
    } catch (error) {
      throw new ConfigError(`${file}: ${(error as Error).message}`, 'Fix its phases (see docs/online-migrations.md), then run the command again.');
    }
    return { ...offlineUpDown(mod.phases), ...mod };
  }
  if (typeof mod?.up !== 'function' || typeof mod?.down !== 'function') {
    throw new ConfigError(`${file} does not export up(knex) and down(knex), or phases.`, 'Export both as async functions, or phases (`konstruct-migrate new` writes a template).');
  }
  return mod;
}

function withPhases(phases: readonly PhasedStep[]): Pick<MigrationModule, 'up' | 'down' | 'phases'> {
  assertWellFormed(phases);
  return { ...offlineUpDown(phases), phases };
}

/** The error's own lines, without esbuild's "Transform failed with 1 error:" heading, and "<file>:4:0: ERROR:" as "line 4:". */
function whatWentWrong(error: unknown, file: string): string {
  const lines = String((error as Error)?.message ?? error).split('\n').map((l) => l.trim()).filter(Boolean);
  return lines
    .filter((l) => !/^Transform failed with \d+ errors?:$/.test(l))
    .slice(0, 3)
    .join(' ')
    .split(`${file}:`)
    .join('line ')
    .replace(/line (\d+):\d+: (ERROR: )?/g, 'line $1: ');
}

/**
 * CommonJS files (the compiled migrations) through require(): the first import()
 * of a process starts Node's ES module loader, ~10 ms of every `up` and `down`.
 * TypeScript through tsx; .mjs, and .js files of an ES-module package, through import().
 */
async function loadModule(file: string): Promise<Record<string, unknown>> {
  if (TYPESCRIPT.test(file)) return requireTypeScript(file);
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
    return listLocalMigrations(this.dir).map((m) => ({ name: m.name, file: m.name, path: m.compiled ?? m.file }));
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
