/**
 * A failure while creating or updating the history tables is not a failure of
 * the migration it happens beside (it runs in that migration's transaction):
 * say what actually failed. Usually the database user may not create tables in
 * the schema — PostgreSQL 15 no longer lets every user create in `public`.
 */
import { KonstructError, pgErrorFields } from '../errors';
import { ExitCode } from '../exit-codes';
import { HISTORY_TABLE } from './history-table';

export async function explainHistoryFailure(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const code = pgErrorFields(error)?.code;
    // A lock timeout is retried like any other step's.
    if (code === '55P03' || error instanceof KonstructError) throw error;
    throw new KonstructError(
      `cannot create or update the history table ${HISTORY_TABLE}: ${(error as Error)?.message ?? error}${code ? ` [SQLSTATE ${code}]` : ''}`,
      {
        exitCode: ExitCode.MigrationFailed,
        hint:
          code === '42501'
            ? 'The database user needs CREATE on the schema (GRANT CREATE ON SCHEMA public TO ...), or run as its owner. Nothing was changed.'
            : 'Nothing was changed; fix the cause and run again.',
        cause: error,
      },
    );
  }
}
