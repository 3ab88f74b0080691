/**
 * A fresh, empty database per test file on the run's shared server.
 *
 * Test files create and drop theirs in their own beforeAll/afterAll (often with a
 * testContext beside it), written out so that each file reads on its own.
 * `duplicates` pairs those hooks, and the try/finally frames of tests, by shape;
 * they are kept as they are on purpose.
 */
import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { inject } from 'vitest';

export interface TestDatabase {
  url: string;
  name: string;
  knex: Knex;
  drop(): Promise<void>;
}

export function adminUrl(): string {
  return inject('adminUrl');
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** The label of the databases kept at 005 for copying (operations/harness.ts), one per worker process; the run's teardown drops them. */
export const AT_005_TEMPLATE_LABEL = 'template_at_005';

/**
 * How a test database is copied from its template. PostgreSQL 15's default, WAL_LOG, writes every block of the
 * template through the WAL (~5 MB a database, even from template1); FILE_COPY copies the files and takes a checkpoint
 * before and after, cheap on the test server (fsync off, little dirty). Five server-heavy files run side by side both
 * ways (#26 item 5): the server's CPU 83.3 against 74.3 CPU-s, its WAL 450 against 103 MB. STRATEGY needs
 * PostgreSQL 15 or later: the embedded and Testcontainers servers are 15, and so must a TEST_DATABASE_URL's be.
 */
const COPY_STRATEGY = 'FILE_COPY';

/** How long drop() waits for the pool to close: a connection a failed test never gave back is left behind. */
const ABANDONED_POOL_MS = 1_000;

/** Whether `promise` settled within `ms`. */
const within = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);

/**
 * The connection that creates and drops the test databases, one per worker process, kept between the databases a
 * file makes and closed once idle: a new session costs the server ~33 ms of CPU on the 2-core CI machine (page
 * faults of the forked backend, perf), and two a database (create, drop) were ~700 sessions a run (#26 item 5).
 * Closed when idle rather than kept, so that no session of a worker is left when the run's teardown stops the server.
 */
let adminPool: Knex | undefined;
function admin(): Knex {
  adminPool ??= knexFactory({ client: 'pg', connection: adminUrl(), pool: { min: 0, max: 1, idleTimeoutMillis: 2_000, reapIntervalMillis: 500 } });
  return adminPool;
}

/** `template`: the name of a test database to copy (it must have no open connections). */
export async function createTestDatabase(label = 'kt', options: { template?: string } = {}): Promise<TestDatabase> {
  const name = `${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await admin().raw(`CREATE DATABASE ${name}${options.template ? ` TEMPLATE ${options.template}` : ''} STRATEGY ${COPY_STRATEGY}`);
  const url = withDatabase(adminUrl(), name);
  const knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 4 } });
  return {
    url,
    name,
    knex,
    drop: async () => {
      // The pool first: closed by its client, a session is gone when DROP DATABASE looks, which otherwise waits
      // 100 ms for the sessions it ends (~0.1 s more a database). But a test that failed while it held a
      // transaction open keeps that connection checked out, and knex.destroy() waits for it for ever: vitest then
      // reported the hook's timeout, and the test's own error was lost. So the wait is bounded, and DROP ... WITH
      // (FORCE) ends such a session.
      const closed = knex.destroy();
      const closedAtOnce = await within(closed, ABANDONED_POOL_MS);
      await admin().raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      if (!closedAtOnce) await within(closed, ABANDONED_POOL_MS);
    },
  };
}
