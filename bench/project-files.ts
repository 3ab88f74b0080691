/**
 * Where the benchmark finds what it runs: the built CLI, the seed's SQL and the
 * stock knex CLI. Found from the package root, so the same code works compiled
 * (dist/bench) and as TypeScript sources (the smoke test).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PhaseName } from './phase-timeline';

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'migrations'))) return dir;
    if (dir === path.dirname(dir)) throw new Error(`no konstruct-migrate package root above ${from}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(__dirname);
export const BUILT_CLI = path.join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'bin.js');
/** The pgroll-style contender, spawned like the CLI (pgroll-style-process.ts). */
export const PGROLL_STYLE_SCRIPT = path.join(PACKAGE_ROOT, 'dist', 'bench', 'pgroll-style-process.js');
export const KNEXFILE = path.join(PACKAGE_ROOT, 'knexfile.ts');
/** Plain JavaScript, so the same file runs beside the sources and the compiled bench. */
export const BARE_STATUS_SCRIPT = path.join(PACKAGE_ROOT, 'bench', 'bare-status.cjs');
export const KNEX_CLI = path.join(path.dirname(require.resolve('knex/package.json', { paths: [PACKAGE_ROOT] })), 'bin', 'cli.js');
export const DEFAULT_RESULTS_DIR = path.join(PACKAGE_ROOT, 'bench', 'results');
export const README = path.join(PACKAGE_ROOT, 'README.md');

/** The seed's upgrade()/downgrade() as SQL, full-table UPDATE included (see spec/README.md). */
export function seedSql(direction: 'up' | 'down'): string {
  const file = direction === 'up' ? 'alembic-006-upgrade.sql' : 'alembic-006-downgrade.sql';
  return readFileSync(path.join(PACKAGE_ROOT, 'spec', file), 'utf8');
}

/** The phases of the built 006's steps, in order, as the CLI runs them (empty for a single-transaction 006). */
export function phasedSteps(): Array<{ phase: PhaseName }> {
  const migration = require(path.join(PACKAGE_ROOT, 'dist', 'migrations', '006_rbac_roles.js')) as { phases?: Array<{ phase: PhaseName }> };
  return (migration.phases ?? []).map((step) => ({ phase: step.phase }));
}
