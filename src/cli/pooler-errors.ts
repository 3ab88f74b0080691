/**
 * PgBouncer's own errors, as one line of what happened and one of what to change.
 * It reports them with SQLSTATE 08P01 and its own wording as the message.
 * (The CLI's: commands called as a library get PgBouncer's error as it is.)
 */
import { ConnectionError, KonstructError } from '../errors';
import { ExitCode } from '../exit-codes';

/** The error itself, or the one a step failure wraps, when PgBouncer raised it; else undefined. */
export function explainPoolerFailure(error: unknown): KonstructError | undefined {
  const causes = [error, (error as { cause?: unknown } | null)?.cause];
  const said = (text: string) => causes.find((e) => (e as { message?: unknown } | null)?.message === text);

  const waited = said('query_wait_timeout');
  if (waited) {
    return new ConnectionError(
      'PgBouncer found no free server connection in time (query_wait_timeout); what the run had not committed was rolled back',
      'A migration run holds one server connection for its lock and needs one more for its work: give this database and user a pool of at least 2 (default_pool_size) plus what other clients use at once, or use a direct DATABASE_URL.',
      waited,
    );
  }
  const noTransactions = said('transaction blocks not allowed in statement pooling mode');
  if (noTransactions) {
    return new KonstructError(
      'konstruct-migrate cannot work through PgBouncer in statement pooling mode, which allows no transactions; nothing was changed',
      { exitCode: ExitCode.Usage, hint: 'Use a direct DATABASE_URL to PostgreSQL (or a transaction- or session-mode pool).', cause: noTransactions },
    );
  }
  return undefined;
}
