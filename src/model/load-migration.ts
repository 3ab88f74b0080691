/**
 * Loading a migration file into the model (migration.ts). Each command loads
 * the migrations it runs once, after it has decided which ones: a TypeScript
 * file is compiled and evaluated again by every load (tsx gives each load its
 * own module cache), so loading is neither free nor without the file's own
 * side effects.
 */
import { pathToFileURL } from 'node:url';
import { ConfigError, KonstructError } from '../errors';
import { importModule } from '../esm-import';
import { TYPESCRIPT, type LocalMigration } from '../history/local-migrations';
import { assertWellFormed } from '../phased/phased-migration';
import { compileOperations } from '../operations';
import { withOperationsDataLoss } from '../operations/data-lost-on-down';
import { startChecks } from '../operations/start-checks';
import { toMigration, type Migration } from './migration';
import type { MigrationModule } from './migration-module';
import { requireTypeScript } from './require-typescript';

/** Loads each of `migrations`, in order; the first that cannot be loaded stops the run before anything ran. */
export async function loadMigrations(migrations: readonly LocalMigration[]): Promise<Migration[]> {
  const loaded: Migration[] = [];
  for (const migration of migrations) loaded.push(await loadMigration(migration));
  return loaded;
}

/**
 * A file that does not load (a syntax error in a migration being written, a
 * missing export) is the author's to fix, so it is reported as a usage error
 * naming the file and the place, not as an internal failure.
 */
export async function loadMigration(migration: LocalMigration): Promise<Migration> {
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
    // Declarative operations (src/operations/): compiled into the steps they stand for, then run like any phased migration.
    let phases: MigrationModule['phases'];
    try {
      phases = compileOperations(mod.operations);
      assertWellFormed(phases);
    } catch (error) {
      throw new ConfigError(`${file}: ${(error as Error).message}`, 'Fix its operations (see docs/online-migrations.md), then run the command again.');
    }
    const compiled = toMigration(migration, { ...mod, phases, dataLostOnDown: withOperationsDataLoss(mod.operations, mod.dataLostOnDown?.bind(mod)) });
    return { ...compiled, startChecks: startChecks(mod.operations) };
  }
  if (mod?.phases) {
    try {
      assertWellFormed(mod.phases);
    } catch (error) {
      throw new ConfigError(`${file}: ${(error as Error).message}`, 'Fix its phases (see docs/online-migrations.md), then run the command again.');
    }
    return toMigration(migration, mod);
  }
  if (typeof mod?.up !== 'function' || typeof mod?.down !== 'function') {
    throw new ConfigError(`${file} does not export up(knex) and down(knex), phases or operations.`, 'Export both as async functions, or phases, or operations (`konstruct-migrate new` writes a template).');
  }
  return toMigration(migration, mod);
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

