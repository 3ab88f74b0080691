/** Test databases reached through a PgBouncer that a test file starts for itself (pgbouncer.ts). */
import { afterAll, beforeAll } from 'vitest';
import { skipWithout } from './required-tool';
import { findPgBouncer, startPgBouncer, type PgBouncer, type PgBouncerOptions, type PoolMode } from './pgbouncer';
import { adminUrl, createTestDatabase, type TestDatabase } from './test-database';

/** True when the PgBouncer tests of a file must skip (said once); under CI, a failing test instead (required-tool.ts). */
export function skipWithoutPgBouncer(mode: PoolMode): boolean {
  const found = findPgBouncer();
  return skipWithout(`pgbouncer (${mode} pooling)`, 'missing' in found ? found.missing : undefined);
}

export interface PooledDatabase {
  db: TestDatabase;
  /** The database's URL through PgBouncer (db.url reaches it directly). */
  url: string;
}

/**
 * Inside a describe: PgBouncer in front of the test run's server for its tests;
 * databases made with `database` (and `direct`) are dropped afterwards.
 */
export function usePgBouncer(options: PgBouncerOptions): { database(label: string): Promise<PooledDatabase>; direct(label: string): Promise<TestDatabase> } {
  let bouncer: PgBouncer | undefined;
  const opened: TestDatabase[] = [];
  beforeAll(async () => {
    bouncer = await startPgBouncer(adminUrl(), options);
  });
  afterAll(async () => {
    for (const db of opened) await db.drop();
    await bouncer?.stop();
  });
  const direct = async (label: string) => {
    const db = await createTestDatabase(label);
    opened.push(db);
    return db;
  };
  return {
    direct,
    database: async (label) => {
      const db = await direct(label);
      return { db, url: bouncer!.urlFor(db.url) };
    },
  };
}
