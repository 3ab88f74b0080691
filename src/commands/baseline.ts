/**
 * `baseline`: adopt a database whose schema already exists — migrated by Alembic
 * (`--from-alembic`) or built some other way (`--to <migration>`) — by recording
 * the migration it is at, and every one before it, as applied without running
 * them. Before recording, the live schema must be what that migration produces
 * (the check `verify` does); all rows are written in one transaction.
 */
import type { Knex } from 'knex';
import type { SchemaDifference } from '../catalog/diff-catalog';
import { assertPublicSchema } from '../config/schema-name';
import { assertHistoryKnown, resolveTarget } from '../engine/plan';
import { KonstructError, pgErrorFields } from '../errors';
import { ExitCode } from '../exit-codes';
import { ALEMBIC_VERSION_TABLE, migrationForAlembicRevision, readAlembicRevision } from '../history/alembic-version';
import {
  ensureHistoryTables,
  historyHasNoteColumn,
  HISTORY_TABLE,
  nextBatch,
  readHistory,
  recordApplied,
} from '../history/history-table';
import { listLocalMigrations, type LocalMigration } from '../history/local-migrations';
import type { MigrationContext } from '../context';
import { assertBaselineMode } from './preflight';
import { compareWithMigration } from './verify';

export interface BaselineOptions {
  /** Take the migration from the database's alembic_version. */
  fromAlembic?: boolean;
  /** The migration the schema is at (full name or numeric prefix), for databases without Alembic. */
  to?: string;
  /** Record even when the history already has entries or the schema differs from the migration's. */
  force?: boolean;
  /** Report what would be recorded; change nothing. */
  dryRun?: boolean;
  /** Drop alembic_version in the same transaction (with fromAlembic only); kept by default so Alembic can take over again. */
  dropAlembicVersion?: boolean;
  snapshotsDir?: string;
}

export interface BaselineResult {
  /** The migration the schema is at. */
  migration: string;
  /** Where that came from: the Alembic revision, or null for --to. */
  alembicRevision: string | null;
  /** Recorded as applied (or, with dryRun, would be), in order. */
  recorded: string[];
  /** Already in the history (only with force), left as they were. */
  alreadyRecorded: string[];
  batch: number | null;
  /** Written to the history's note column, when it has one. */
  note: string;
  /** Differences from the migration's schema that force overrode; empty when the schema matched. */
  ignoredDifferences: SchemaDifference[];
  alembicVersionDropped: boolean;
  dryRun: boolean;
}

export async function baseline(ctx: MigrationContext, options: BaselineOptions): Promise<BaselineResult> {
  assertPublicSchema(ctx.schema, 'baseline');
  assertBaselineMode(options);
  const local = listLocalMigrations(ctx.migrationsDir);
  if (options.dryRun) return plan(ctx.knex, local, options);

  try {
    return await ctx.knex.transaction(async (trx) => {
      // A concurrent baseline waits here (the lock ends with the transaction, even if the process dies),
      // then finds the history we wrote; a concurrent migration run waits on the table lock.
      await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('konstruct-migrate baseline'))`);
      await ensureHistoryTables(trx);
      await trx.raw(`LOCK TABLE ${HISTORY_TABLE} IN SHARE ROW EXCLUSIVE MODE`);
      const result = await plan(trx, local, options);
      const note = (await historyHasNoteColumn(trx)) ? result.note : undefined;
      const byName = new Map(local.map((m) => [m.name, m]));
      for (const name of result.recorded) await recordApplied(trx, byName.get(name)!, result.batch!, note);
      if (result.alembicVersionDropped) await trx.schema.dropTable(ALEMBIC_VERSION_TABLE);
      return result;
    });
  } catch (error) {
    if (error instanceof KonstructError) throw error;
    const pg = pgErrorFields(error);
    throw new KonstructError(
      `baseline failed and was rolled back, nothing was recorded: ${(error as Error)?.message ?? String(error)}` +
        (pg?.code ? ` [SQLSTATE ${pg.code}]` : ''),
      { exitCode: ExitCode.MigrationFailed, hint: [pg?.detail, pg?.hint].filter(Boolean).join('; ') || undefined, cause: error },
    );
  }
}

/** Everything baseline decides, from reads only; refusals are thrown from here. */
async function plan(db: Knex, local: LocalMigration[], options: BaselineOptions): Promise<BaselineResult> {
  const alembicRevision = options.fromAlembic ? await readAlembicRevision(db) : null;
  const target = resolveTarget(alembicRevision === null ? options.to! : migrationForAlembicRevision(alembicRevision), local);

  const history = await readHistory(db);
  assertHistoryKnown(local, history);
  if (history.length > 0 && !options.force) {
    throw new KonstructError(`the history already has ${history.length} applied migration(s) (${history.map((h) => h.name).join(', ')}); nothing was recorded`, {
      exitCode: ExitCode.HistoryMismatch,
      hint: 'It is already managed by konstruct-migrate: see `konstruct-migrate status`. --force records only the missing ones.',
    });
  }

  const check = await compareWithMigration(db, target.name, options.snapshotsDir);
  if (!check.ok && !options.force) {
    const count = check.differences.length;
    throw new KonstructError(
      [`the schema is not what ${target.name} produces (${count} difference(s)); nothing was recorded:`, ...check.differences.map((d) => `  ${d.message}`)].join('\n'),
      { exitCode: ExitCode.SchemaDrift, hint: 'Bring the schema in line, or pass --force to record the history anyway.' },
    );
  }

  const applied = new Set(history.map((h) => h.name));
  const upToTarget = local.filter((m) => m.name <= target.name).map((m) => m.name);
  const recorded = upToTarget.filter((name) => !applied.has(name));
  return {
    migration: target.name,
    alembicRevision,
    recorded,
    alreadyRecorded: upToTarget.filter((name) => applied.has(name)),
    batch: recorded.length > 0 ? nextBatch(history) : null,
    note: alembicRevision === null ? `baseline --to ${target.name}` : `baseline --from-alembic (alembic_version ${alembicRevision})`,
    ignoredDifferences: check.differences,
    alembicVersionDropped: Boolean(options.dropAlembicVersion),
    dryRun: Boolean(options.dryRun),
  };
}
