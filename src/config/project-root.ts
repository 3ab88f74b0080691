/**
 * The project a command runs in: the nearest folder, from the working directory
 * up, that holds both package.json and migrations/ (as git looks for .git and npm
 * for package.json). Its .env is read and its embedded data folder used, so
 * `cd migrations && konstruct-migrate status` talks to the same database as the
 * same command one folder up, instead of starting an empty cluster there.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors';

export function findProjectRoot(start: string): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (isProjectRoot(dir)) return dir;
    if (dir === path.dirname(dir)) return undefined;
  }
}

function isProjectRoot(dir: string): boolean {
  const migrations = path.join(dir, 'migrations');
  return existsSync(path.join(dir, 'package.json')) && existsSync(migrations) && statSync(migrations).isDirectory();
}

/**
 * Outside any project, the embedded default would start an empty cluster
 * wherever the command happens to run, and report "0 applied" as if that were
 * the project's database. KONSTRUCT_PGDATA says on purpose where one may be.
 */
export function refuseEmbeddedOutsideProject(from: string): never {
  throw new ConfigError(
    `no project found in ${from} or above it (a folder with package.json and migrations/), and no database is configured: refusing to start an empty embedded PostgreSQL here.`,
    'Run the command inside the project, set DATABASE_URL (or --url), or set KONSTRUCT_PGDATA to the data folder the embedded server should use. Nothing was done.',
  );
}
