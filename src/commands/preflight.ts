/**
 * What each command can check without a database: migration names, flag
 * combinations, a schema the command refuses. The CLI runs these after reading
 * the configuration and before connecting, so a usage error exits 2 at once
 * (no --wait, no connect timeout, no embedded server started) and the database
 * is never touched. The library functions check the same things themselves.
 */
import type { KonstructConfig } from '../config/config';
import { assertPublicSchema } from '../config/schema-name';
import { resolveTarget } from '../engine/plan';
import { TargetError } from '../errors';
import { listLocalMigrations } from '../history/local-migrations';

/** The flags these checks read (the commands' own option types import these checks, so they are not named here). */
interface DownScope {
  to?: string;
  all?: boolean;
}
interface BaselineMode {
  fromAlembic?: boolean;
  to?: string;
  dropAlembicVersion?: boolean;
}

export function checkUp(config: KonstructConfig, options: { to?: string }): void {
  checkTarget(config, options.to);
}

export function checkDown(config: KonstructConfig, options: DownScope): void {
  assertDownScope(options);
  checkTarget(config, options.to);
}

export function checkVerify(config: KonstructConfig, options: { against?: string }): void {
  assertPublicSchema(config.schema, 'verify');
  checkTarget(config, options.against);
}

export function checkBaseline(config: KonstructConfig, options: BaselineMode): void {
  assertPublicSchema(config.schema, 'baseline');
  assertBaselineMode(options);
  checkTarget(config, options.to);
}

/** `--all` and `--to` contradict each other; reverting everything when `--to` was meant loses data. */
export function assertDownScope(options: DownScope): void {
  if (options.all && options.to) {
    throw new TargetError(
      '--all and --to cannot be used together: --all reverts every migration, --to stops above one.',
      `Use --to ${options.to} to keep ${options.to} and what is before it, or --all alone to revert everything.`,
    );
  }
}

export function assertBaselineMode(options: BaselineMode): void {
  if (Boolean(options.fromAlembic) === Boolean(options.to)) {
    throw new TargetError('baseline needs exactly one of --from-alembic or --to <migration>', 'e.g. konstruct-migrate baseline --from-alembic');
  }
  if (options.dropAlembicVersion && !options.fromAlembic) {
    throw new TargetError('--drop-alembic-version goes with --from-alembic only');
  }
}

function checkTarget(config: KonstructConfig, target: string | undefined): void {
  if (target !== undefined) resolveTarget(target, listLocalMigrations(config.migrationsDir));
}
