/**
 * Runs a TypeScript migration as written, so a new or edited migration needs no
 * build. tsx compiles it in memory (imports of other .ts files included), the
 * loader this repository already uses for knexfile.ts and its scripts. It is
 * looked up beside the migration first (the project that owns it), then beside
 * this package; an installed package without tsx runs its compiled migrations
 * and never gets here.
 *
 * Loading tsx costs ~70 ms, so it happens only when a migration must run and
 * has no compiled copy identical to its source (local-migrations.ts): `status`
 * and the runs of already-built migrations never pay it.
 */
import path from 'node:path';
import { ConfigError } from '../errors';

interface TsxRequire {
  require(id: string, fromFile: string): Record<string, unknown>;
}

export function requireTypeScript(file: string): Record<string, unknown> {
  return loadTsx(file).require(file, file);
}

function loadTsx(file: string): TsxRequire {
  let resolved: string;
  try {
    resolved = require.resolve('tsx/cjs/api', { paths: [path.dirname(file), __dirname] });
  } catch {
    throw new ConfigError(
      `${path.basename(file)} has no up-to-date compiled copy, and tsx, which runs TypeScript migrations as written, is not installed.`,
      'Run `npm run build` to compile the migrations, or `npm install` (with dev dependencies) to run them from source.',
    );
  }
  return require(resolved) as TsxRequire;
}
