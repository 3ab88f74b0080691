/**
 * Alembic's bookkeeping in databases that Alembic migrated before this project:
 * `alembic_version(version_num)`, one row per head. Konstruct's Alembic history
 * is linear, so a database has exactly one row; its revision maps to the
 * migration that stands for the schema at that revision.
 */
import type { Knex } from 'knex';
import { tableExists } from '../db/relation-exists';
import { KonstructError } from '../errors';
import { ExitCode } from '../exit-codes';

export const ALEMBIC_VERSION_TABLE = 'alembic_version';

/** Alembic revision -> the migration whose schema it is. Revisions before 005 are folded into the baseline. */
export const ALEMBIC_REVISIONS: ReadonlyMap<string, string> = new Map([
  ['005', '005_baseline'],
  ['006', '006_rbac_roles'],
]);

/** The single revision the database is at, or a refusal that says why there is none. */
export async function readAlembicRevision(knex: Knex): Promise<string> {
  const refuse = (message: string, hint: string) => new KonstructError(message, { exitCode: ExitCode.HistoryMismatch, hint });
  if (!(await tableExists(knex, ALEMBIC_VERSION_TABLE))) {
    throw refuse(
      'there is no alembic_version table: this database is not managed by Alembic',
      'If its schema is at a known migration, record it with: konstruct-migrate baseline --to <migration>',
    );
  }
  const revisions: string[] = await knex(ALEMBIC_VERSION_TABLE).pluck('version_num');
  if (revisions.length === 0) {
    throw refuse('alembic_version is empty: Alembic never stamped this database', 'Use konstruct-migrate baseline --to <migration> instead.');
  }
  if (revisions.length > 1) {
    throw refuse(
      `alembic_version holds several heads (${revisions.sort().join(', ')}); Konstruct's history is linear`,
      'Merge the heads with Alembic (alembic merge, then alembic upgrade head) before adopting the database.',
    );
  }
  return revisions[0]!;
}

export function migrationForAlembicRevision(revision: string): string {
  const migration = ALEMBIC_REVISIONS.get(revision);
  if (!migration) {
    const known = [...ALEMBIC_REVISIONS.keys()].join(', ');
    throw new KonstructError(`alembic_version is at revision "${revision}", which this code does not know (known: ${known})`, {
      exitCode: ExitCode.HistoryMismatch,
      hint: 'Bring it to a known revision with Alembic first, or use a konstruct-migrate version that knows it.',
    });
  }
  return migration;
}
