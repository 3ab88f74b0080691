/**
 * One application request on a connection pool, as a long-lived service sends
 * it: check a connection out, run one statement, give it back. An ERROR from
 * the server (42703, 57014, ...) leaves the connection healthy, so it goes back
 * to the pool; a connection that broke, or that the server ends (a FATAL such
 * as 57P01 from pg_terminate_backend), is dropped.
 *
 * Not `pool.query()`: pg-pool 3.14.0 releases the client with the query's
 * error, and `release(error)` destroys the connection, so every failed
 * statement costs a new connection (a backend fork and SCRAM authentication)
 * on the next request. bench/error-path-probe.ts measures the difference.
 */
import pg from 'pg';

export async function pooledRequest(pool: pg.Pool, text: string, values: unknown[]): Promise<void> {
  const client = await pool.connect();
  // A connection that dies mid-request also emits 'error'; the request's own rejection reports it.
  const ignore = () => {};
  client.on('error', ignore);
  try {
    await client.query(text, values);
    client.release();
  } catch (error) {
    client.release(endsTheStatementOnly(error) ? undefined : (error as Error));
    throw error;
  } finally {
    client.off('error', ignore);
  }
}

/** A plain ERROR ends the statement; FATAL and PANIC end the session, and anything else came from the connection. */
function endsTheStatementOnly(error: unknown): boolean {
  return error instanceof pg.DatabaseError && error.severity === 'ERROR';
}
