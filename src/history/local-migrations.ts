/**
 * The migrations this code knows: files `NNN_name.{js,ts}` in the migrations
 * folder. A migration is named by its file name without extension, so history
 * written while running compiled `.js` matches history written from `.ts`
 * sources (knex stores the extension and calls the mismatch "corrupt").
 *
 * Sources run as written. A compiled copy (dist/migrations) stands in for a
 * source only when the build's checksum manifest proves it was compiled from
 * exactly that text; a copy older than, or different from, its source is never
 * run (migrations-folder.ts, ../model/require-typescript.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors';
import { checksumOfFile, readChecksumManifest } from './migration-checksums';
import { COMPILED_MIGRATIONS_DIR, compiledCopiesOf, DEFAULT_MIGRATIONS_DIR, SOURCE_MIGRATIONS_DIR } from './migrations-folder';
import { readSupersededChecksums } from './superseded-checksums';

export { DEFAULT_MIGRATIONS_DIR };

export interface LocalMigration {
  name: string;
  file: string;
  /** SHA-256 of the migration's source (see migration-checksums.ts). */
  checksum: string;
  /**
   * Checksums of earlier revisions of this migration that the folder's record
   * (superseded-checksums.ts) accepts as applied: a database holding one is not "changed".
   */
  earlierChecksums?: readonly string[];
  /** A compiled copy built from exactly this source, run instead of compiling it again. */
  compiled?: string;
}

const MIGRATION_FILE = /^(\d+_[A-Za-z0-9_]+)\.(js|cjs|mjs|ts|cts|mts)$/;
export const TYPESCRIPT = /\.[cm]?ts$/;

export function listLocalMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): LocalMigration[] {
  if (!existsSync(dir)) {
    throw new ConfigError(`the migrations folder ${dir} does not exist`, 'Check KONSTRUCT_MIGRATIONS_DIR, or unset it to use the packaged migrations.');
  }
  const files = migrationFiles(dir);
  const manifest = readChecksumManifest(dir);
  const earlier = readSupersededChecksums(dir, files.map((m) => m.name));
  const migrations = files.map((m) => ({
    ...m,
    checksum: TYPESCRIPT.test(m.file) ? checksumOfFile(m.file) : manifest[m.name] ?? checksumOfFile(m.file),
    ...(earlier.has(m.name) ? { earlierChecksums: earlier.get(m.name)! } : {}),
  }));
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
