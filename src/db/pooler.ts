/**
 * Is there a connection pooler between us and PostgreSQL, and does it keep our
 * session? Asked only before a feature that needs session state (a step
 * outside a transaction, --schema), so that feature can be refused through a
 * transaction pooler before anything is changed (docs/connection-poolers.md).
 *
 * 1. A pooler at all: at login PostgreSQL sends the backend's pid as the
 *    cancel key's process id, so on a direct connection it equals
 *    pg_backend_pid(). A pooler (PgBouncer, pgcat, Odyssey, Supavisor, RDS
 *    Proxy) must route cancel requests itself, so it sends a process id of its
 *    own. Proxies that only forward bytes (a Docker port, an SSH tunnel) keep it.
 * 2. Transaction pooling: a session never changes backend on a direct
 *    connection or in session mode, and in session mode no other client can get
 *    ours while we are connected. So: note our backend, let a second client
 *    open a transaction, then ask again. The second client being lent our
 *    backend, or us being moved to another one, proves transaction pooling.
 *    PgBouncer lends its most recently freed server connection first, so this
 *    shows on the first round; a few more rounds cover other orders. When it
 *    never shows, the pooler is taken to keep sessions.
 * 3. Naming it: PgBouncer refuses a login with a startup parameter it does not
 *    know, in words of its own; only asked when about to refuse.
 */
import type { Knex } from 'knex';
import type { Client } from 'pg';
import { KonstructError } from '../errors';
import { ExitCode } from '../exit-codes';

export type PoolingMode = 'direct' | 'session' | 'transaction';

const PROBE_ROUNDS = 3;
const found = new WeakMap<Knex, Promise<PoolingMode>>();

/** How the connections of `knex` reach PostgreSQL (asked once per knex instance). */
export function poolingMode(knex: Knex): Promise<PoolingMode> {
  let mode = found.get(knex);
  if (!mode) {
    mode = detect(knex);
    found.set(knex, mode);
  }
  return mode;
}

async function detect(knex: Knex): Promise<PoolingMode> {
  const ours: Client & { processID?: number } = await knex.client.acquireConnection();
  try {
    const backend = async (c: Client) => (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    const first = await backend(ours);
    if (ours.processID === first) return 'direct';

    const other: Client = await knex.client.acquireRawConnection();
    try {
      // Backends each client was seen on: more than one for either, or one both had, is transaction pooling.
      const seen = { ours: new Set([first]), other: new Set<number>() };
      for (let round = 0; round < PROBE_ROUNDS; round++) {
        seen.other.add(await backend(other));
        seen.ours.add(await backend(ours));
        if (seen.ours.size > 1 || seen.other.size > 1 || [...seen.other].some((pid) => seen.ours.has(pid))) return 'transaction';
      }
      return 'session';
    } finally {
      await knex.client.destroyRawConnection(other);
    }
  } finally {
    await knex.client.releaseConnection(ours);
  }
}

/**
 * Refuses `feature` (e.g. "--schema", "a migration outside a transaction (006_x)")
 * through a transaction pooler: exit 2, one line, nothing changed.
 */
export async function assertSessionKept(knex: Knex, feature: string): Promise<void> {
  if ((await poolingMode(knex)) !== 'transaction') return;
  const pooler = (await isPgBouncer(knex)) ? 'PgBouncer' : 'a connection pooler';
  throw new KonstructError(
    `${feature} cannot work through ${pooler} in transaction pooling mode (it needs a database session of its own); nothing was changed`,
    { exitCode: ExitCode.Usage, hint: 'Run it with a direct DATABASE_URL to PostgreSQL (or a session-mode pool).' },
  );
}

/** PgBouncer answers a login carrying an unknown startup parameter with "unsupported startup parameter". */
async function isPgBouncer(knex: Knex): Promise<boolean> {
  const { Client } = await import('pg');
  const config = (knex.client.config as Knex.Config).connection as object;
  // lock_timeout: one PostgreSQL accepts at login, and PgBouncer does not pass on.
  const probe = new Client({ ...config, lock_timeout: 1 } as ConstructorParameters<typeof Client>[0]);
  try {
    await probe.connect();
    return false;
  } catch (error) {
    return /unsupported startup parameter/i.test((error as Error)?.message ?? '');
  } finally {
    await probe.end().catch(() => {});
  }
}
