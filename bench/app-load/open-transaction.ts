/**
 * An ordinary slow request of the application: it reads and updates one user,
 * then keeps its transaction open (waiting on something else, as a request
 * does) before committing. Started just before `up`, it holds AccessShareLock
 * and RowExclusiveLock on portal_users, which every ALTER TABLE of the
 * migration must wait for, and behind whose waiting request the application's
 * other queries queue.
 */
import { connect } from '../databases';
import { epochMs } from './load-generator';

export interface OpenTransaction {
  /** Settles when it has ended: how long it was open, and its error (as text) if it could not commit. */
  done: Promise<{ ms: number; error: string | null }>;
}

/**
 * Resolves once the transaction holds its locks; it commits `holdMs` after it began.
 * `connected` learns its backend before it takes any lock, so lock sampling never mistakes it for the migration.
 */
export async function openApplicationTransaction(url: string, rowId: string, holdMs: number, connected: (pid: number) => void): Promise<OpenTransaction> {
  const client = await connect(url, 'kbench app (open transaction)');
  const pid = (client as unknown as { processID: number }).processID;
  connected(pid);
  const began = epochMs();
  await client.query('BEGIN');
  await client.query('SELECT id, email, name FROM portal_users WHERE id = $1', [rowId]);
  await client.query('UPDATE portal_users SET updated_at = now() WHERE id = $1', [rowId]);
  const done = new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, began + holdMs - epochMs())))
    .then(() => client.query('COMMIT'))
    .then(
      () => ({ ms: epochMs() - began, error: null }),
      (error: Error) => ({ ms: epochMs() - began, error: error.message }),
    )
    .finally(() => client.end().catch(() => {}));
  return { done };
}
