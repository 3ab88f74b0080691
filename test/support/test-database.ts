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

/** `template`: the name of a test database to copy (it must have no open connections). */
export async function createTestDatabase(label = 'kt', options: { template?: string } = {}): Promise<TestDatabase> {
  const name = `${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: adminUrl(), pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name}${options.template ? ` TEMPLATE ${options.template}` : ''}`);
  await admin.destroy();
  const url = withDatabase(adminUrl(), name);
  const knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 4 } });
  return {
    url,
    name,
    knex,
    drop: async () => {
      await knex.destroy();
      const a = knexFactory({ client: 'pg', connection: adminUrl(), pool: { min: 0, max: 1 } });
      await a.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.destroy();
    },
  };
}
