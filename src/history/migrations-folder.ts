/**
 * Which migrations folder this code runs by default, and where compiled copies
 * of it may sit.
 *
 * In the repository the folder is `migrations/`, the TypeScript sources as
 * written: `new` -> edit -> `up` needs no build. The installed package ships no
 * sources, only `dist/migrations` (package.json `files`), so it runs those.
 *
 * The package root is two folders above this file's folder in every layout:
 * src/history (sources), dist/src/history (compiled) and dist/src/cli (the CLI
 * bundle, scripts/bundle-cli.ts) give <root> or <root>/dist.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

const codeRoot = path.resolve(__dirname, '..', '..');
const runningCompiled = path.basename(codeRoot) === 'dist';
const packageRoot = runningCompiled ? path.dirname(codeRoot) : codeRoot;

/** The repository's TypeScript migrations (absent from the installed package). */
export const SOURCE_MIGRATIONS_DIR = path.join(packageRoot, 'migrations');
/** What `npm run build` compiles them to, with a manifest of the sources' checksums. */
export const COMPILED_MIGRATIONS_DIR = path.join(packageRoot, 'dist', 'migrations');

export const DEFAULT_MIGRATIONS_DIR = existsSync(SOURCE_MIGRATIONS_DIR) ? SOURCE_MIGRATIONS_DIR : COMPILED_MIGRATIONS_DIR;

/** The folder whose compiled copies may stand in for `dir`'s sources: only the package's own pair. */
export function compiledCopiesOf(dir: string): string | undefined {
  return path.resolve(dir) === SOURCE_MIGRATIONS_DIR ? COMPILED_MIGRATIONS_DIR : undefined;
}

export const NUMBER_WIDTH = 3;

/** The number `new` gives the next migration: one above the highest, at the folder's width. */
export function nextNumber(names: string[]): string {
  const numbers = names.map((n) => n.split('_')[0]!);
  const next = Math.max(0, ...numbers.map(Number)) + 1;
  const width = Math.max(NUMBER_WIDTH, ...numbers.map((n) => n.length));
  return String(next).padStart(width, '0');
}
