/**
 * `verify`: does the live schema match what the applied migrations produce? The
 * expected schema is the snapshot of the newest applied migration (schema/), so
 * the answer does not depend on re-running anything. Drift is a result, not an
 * error: the CLI turns a non-empty list into exit code 9.
 */
import type { Knex } from 'knex';
import { assertPublicSchema } from '../config/schema-name';
import { emptyCatalog } from '../catalog/catalog';
import { diffCatalogs, type SchemaDifference } from '../catalog/diff-catalog';
import { readCatalog } from '../catalog/read-catalog';
import { DEFAULT_SNAPSHOTS_DIR, loadSnapshot } from '../catalog/snapshot-files';
import { assertHistoryKnown, resolveTarget } from '../engine/plan';
import { KonstructError } from '../errors';
import { ExitCode } from '../exit-codes';
import { readHistory } from '../history/history-table';
import { listLocalMigrations, type LocalMigration } from '../history/local-migrations';
import type { MigrationContext } from '../context';
import { readPhaseStates } from '../history/phase-state';

export interface VerifyOptions {
  /** Compare with this migration's schema instead of the newest applied one (e.g. before `baseline`). */
  against?: string;
  /** Where the expected schemas are; the package's schema/ by default. */
  snapshotsDir?: string;
}

export interface VerifyResult {
  ok: boolean;
  /** The migration whose schema was expected; null when none is applied (an empty schema is expected). */
  migration: string | null;
  /** The snapshot file compared with; null when an empty schema was expected. */
  snapshot: string | null;
  differences: SchemaDifference[];
}

export async function verify(ctx: MigrationContext, options: VerifyOptions = {}): Promise<VerifyResult> {
  assertPublicSchema(ctx.schema, 'verify');
  const local = listLocalMigrations(ctx.migrationsDir);
  await refusePartWay(ctx.knex, options.against);
  const migration = options.against ? resolveTarget(options.against, local) : await newestApplied(ctx.knex, local);
  return compareWithMigration(ctx.knex, migration?.name ?? null, options.snapshotsDir);
}

/**
 * A part-way phased migration has no snapshot: its schema is a mix of both ends
 * by design (e.g. both is_admin and role, and triggers). Compare once it is
 * completed or reverted. `--against` is still allowed (to see the mix explicitly).
 */
async function refusePartWay(knex: Knex, against: string | undefined): Promise<void> {
  const partWay = await readPhaseStates(knex);
  if (partWay.length === 0 || against) return;
  throw new KonstructError(
    `${partWay.map((s) => s.name).join(', ')} stands part-way: there is no reference schema for a migration between its phases`,
    {
      exitCode: ExitCode.Pending,
      hint: 'Run `konstruct-migrate complete` (or `down`) first, then verify; `konstruct-migrate status` shows where it stands.',
    },
  );
}

/** The live schema against the snapshot of `migration` (null: against an empty schema). */
export async function compareWithMigration(knex: Knex, migration: string | null, snapshotsDir = DEFAULT_SNAPSHOTS_DIR): Promise<VerifyResult> {
  const actual = await readCatalog(knex);
  const expected = migration === null ? null : loadSnapshot(snapshotsDir, migration);
  const differences = diffCatalogs(expected?.catalog ?? emptyCatalog(actual.schema), actual);
  return { ok: differences.length === 0, migration, snapshot: expected?.file ?? null, differences };
}

/** The migration the history says the schema is at; the history must be a prefix of the local list. */
async function newestApplied(knex: Knex, local: LocalMigration[]): Promise<LocalMigration | undefined> {
  const history = await readHistory(knex);
  assertHistoryKnown(local, history);
  const applied = new Set(history.map((h) => h.name));
  const newest = local.filter((m) => applied.has(m.name)).at(-1);
  const skipped = newest ? local.filter((m) => m.name < newest.name && !applied.has(m.name)) : [];
  if (skipped.length > 0) {
    throw new KonstructError(
      `cannot tell which schema to expect: ${newest!.name} is applied but ${skipped.map((m) => m.name).join(', ')} is not`,
      { exitCode: ExitCode.HistoryMismatch, hint: 'Compare with one migration explicitly: konstruct-migrate verify --against <migration>' },
    );
  }
  return newest;
}
