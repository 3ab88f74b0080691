/**
 * A PostgreSQL "permission denied" (SQLSTATE 42501) outside a migration's own statements: the database user
 * may not read or lock the tool's tables (knex_migrations, its lock table, the phase table), typically a role
 * other than the one that created them. A user's setting, not a bug, so one line and what to do, not
 * "unexpected failure ... report it". A migration's own statements fail as that migration (MigrationFailedError).
 */
import { KonstructError, pgErrorFields } from '../errors';
import { ExitCode } from '../exit-codes';

export function explainPrivilegeFailure(error: unknown): KonstructError | undefined {
  if (error instanceof KonstructError || pgErrorFields(error)?.code !== '42501') return undefined;
  return new KonstructError(`the database user lacks a privilege konstruct-migrate needs: ${(error as Error).message} [SQLSTATE 42501]`, {
    exitCode: ExitCode.Usage,
    hint: 'Connect as the role that owns the schema\'s tables (the one that created knex_migrations), or grant this one SELECT, INSERT, UPDATE and DELETE on the tool\'s tables (docs/connecting.md, "The database user\'s privileges"). Nothing was changed.',
    cause: error,
  });
}
