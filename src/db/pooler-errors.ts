/**
 * PgBouncer's own errors, as one line that says what to change. It reports
 * them with SQLSTATE 08P01 and its setting's name as the whole message.
 */
import { ConnectionError } from '../errors';

/** The error itself, or the one a step failure wraps, when it is PgBouncer's query_wait_timeout. */
export function explainPoolerFailure(error: unknown): ConnectionError | undefined {
  const causes = [error, (error as { cause?: unknown } | null)?.cause];
  const waited = causes.find((e) => (e as { message?: unknown } | null)?.message === 'query_wait_timeout');
  if (!waited) return undefined;
  return new ConnectionError(
    'PgBouncer found no free server connection in time (query_wait_timeout); what the run had not committed was rolled back',
    'A migration run holds one server connection for its lock and needs one more for its work: give this database and user a pool of at least 2 (default_pool_size) plus what other clients use at once, or use a direct DATABASE_URL.',
    waited,
  );
}
