/**
 * createIndex: built CONCURRENTLY outside a transaction; an INVALID index that a
 * failed or killed build left under the same name is dropped and built again.
 */
import knexFactory, { type Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { up } from '../../src/commands/up';
import { compileOperations } from '../../src/operations';
import { operationsDatabase, position } from './harness';
import { SEED, describeOperation, writesOf } from './scenario';
import { waitUntil } from '../support/wait-until';

const createdAt = { createIndex: { table: 'portal_users', name: 'ix_portal_users_created_at', columns: ['created_at'] } } as const;

describeOperation('createIndex ix_portal_users_created_at', {
  operations: [createdAt],
  plain: 'CREATE INDEX ix_portal_users_created_at ON portal_users (created_at)',
  old: writesOf('name', 'old name'),
  new: writesOf('name', 'new name'),
  newReadsOld: 'old name',
  oldReadsNew: 'new name',
});

describe('createIndex after a build that left the index INVALID', () => {
  it('drops the invalid index and builds a valid one', async () => {
    const h = await operationsDatabase('invalidix', '900_operations', { text: `export const operations = ${JSON.stringify([createdAt])};` });
    try {
      await h.db.knex.raw(SEED);
      // A unique build over duplicates fails part-way and leaves an INVALID index behind, as a killed build does.
      await expect(h.db.knex.raw('CREATE UNIQUE INDEX CONCURRENTLY ix_portal_users_created_at ON portal_users (created_at)')).rejects.toThrow(/could not create unique index/);
      const validity = async () => (await h.db.knex.raw(`SELECT indisvalid, indisunique FROM pg_index WHERE indexrelid = 'ix_portal_users_created_at'::regclass`)).rows;
      expect(await validity()).toEqual([{ indisvalid: false, indisunique: true }]);
      await up(h.ctx);
      expect(await validity()).toEqual([{ indisvalid: true, indisunique: false }]);
      expect(await dumpCatalog(h.db.knex)).toContain('CREATE INDEX ix_portal_users_created_at ON public.portal_users USING btree (created_at);');
    } finally {
      await h.close();
    }
  });
});

describe('createIndex beside a renameColumn or a type change of its column (found by review)', () => {
  const rename = { renameColumn: { table: 'portal_users', from: 'email', to: 'email_address' } } as const;

  it('refuses an index on the new name, a copy that contract drops, and says to build it on the column itself', () => {
    expect(() => compileOperations([rename, { createIndex: { table: 'portal_users', name: 'ix_email', columns: ['email_address'] } }])).toThrow(
      "createIndex ix_email: portal_users.email_address is renameColumn's new name, a copy until contract drops it: build the index on email (the column itself, renamed email_address at contract)",
    );
  });

  it('refuses an index on a column whose type the list changes', () => {
    const retype = { alterColumn: { table: 'portal_users', column: 'name', type: 'text', fromType: 'varchar(255)' } } as const;
    expect(() => compileOperations([retype, { createIndex: { table: 'portal_users', name: 'ix_name', columns: ['name'] } }])).toThrow(
      'createIndex ix_name: portal_users.name changes type in this list (through a new column where PostgreSQL would rewrite): build the index in a following migration',
    );
  });

  it('an index on the old name ends up on the renamed column', async () => {
    const onEmail = { createIndex: { table: 'portal_users', name: 'ix_email', columns: ['email'] } } as const;
    const h = await operationsDatabase('renamedix', '900_operations', { text: `export const operations = ${JSON.stringify([rename, onEmail])};` });
    try {
      await up(h.ctx);
      const { rows } = await h.db.knex.raw(`SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_email'`);
      expect(rows).toEqual([{ indexdef: 'CREATE INDEX ix_email ON public.portal_users USING btree (email_address)' }]);
    } finally {
      await h.close();
    }
  });
});

describe('createIndex where its name is taken (found by review)', () => {
  it('up refuses before anything runs: IF NOT EXISTS kept the other index, and down then dropped it', async () => {
    const h = await operationsDatabase('takenix', '900_operations', { text: `export const operations = ${JSON.stringify([createdAt])};` });
    try {
      await h.db.knex.raw('CREATE INDEX ix_portal_users_created_at ON portal_users (name)');
      const refused = await up(h.ctx).catch((e: unknown) => e);
      expect([(refused as { exitCode: number }).exitCode, (refused as Error).message]).toEqual([
        2,
        '900_operations: createIndex ix_portal_users_created_at: another relation of that name is already there; name the index otherwise, or drop that one in a migration before',
      ]);
      const { rows } = await h.db.knex.raw(`SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_portal_users_created_at'`);
      expect(rows).toEqual([{ indexdef: 'CREATE INDEX ix_portal_users_created_at ON public.portal_users USING btree (name)' }]);
    } finally {
      await h.close();
    }
  });

  it('keeps a valid index as described: the list\'s own, from a run killed before it recorded the step', async () => {
    const h = await operationsDatabase('ownix', '900_operations', { text: `export const operations = ${JSON.stringify([createdAt])};` });
    try {
      await h.db.knex.raw('CREATE INDEX ix_portal_users_created_at ON portal_users (created_at)');
      await up(h.ctx);
      expect(await position(h)).toBe('applied');
    } finally {
      await h.close();
    }
  });
});

describe('createIndex while a transaction older than the build is open elsewhere (found by review)', () => {
  it('waits for it to end, past --lock-timeout: the wait holds nothing the application queues behind', async () => {
    const h = await operationsDatabase('ixwaits', '900_operations', { text: `export const operations = ${JSON.stringify([createdAt])};` });
    const reporter = knexFactory({ client: 'pg', connection: h.db.url, pool: { min: 1, max: 1 } });
    let report: Knex.Transaction | undefined;
    try {
      await h.db.knex.raw(SEED);
      // A report's snapshot on another table: CREATE INDEX CONCURRENTLY waits for every transaction older than it.
      report = await reporter.transaction({ isolationLevel: 'repeatable read' });
      await report.raw('SELECT count(*) FROM tenants');
      let ended: unknown = 'still running';
      const said: string[] = [];
      const applying = up({ ...h.ctx, log: (line) => said.push(line) }, { lockTimeout: 0.2 }).then(() => (ended = 'applied'), (error: unknown) => (ended = error));
      const build = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'CREATE INDEX CONCURRENTLY%'`;
      await waitUntil(async () => ended !== 'still running' || (await h.db.knex.raw(build)).rows[0].n === 1, 'the index build waiting for the report');
      // Well past the 200 ms lock_timeout, the build still waits, and the application's writes go on meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(ended).toBe('still running');
      expect((await h.db.knex.raw(build)).rows[0].n).toBe(1);
      await h.db.knex.raw(`UPDATE portal_users SET name = 'written meanwhile' WHERE email = 'seed0001@x'`);
      await report.commit();
      await applying;
      expect([ended, await position(h)]).toEqual(['applied', 'applied']);
      // What it waited for, in words: a transaction's end, not "a row" (a virtualxid lock).
      expect(said).toContainEqual(expect.stringMatching(
        /^900_operations \[expand: create index ix_portal_users_created_at\] is waiting for the end of a transaction older than it \(CONCURRENTLY waits for those\), held by pid \d+ /,
      ));
    } finally {
      if (report && !report.isCompleted()) await report.rollback();
      await reporter.destroy();
      await h.close();
    }
  });

  it('gives up after --lock-budget, saying to allow it longer there: such a step is never retried (found by review: it was told to allow more retries)', async () => {
    const h = await operationsDatabase('ixbudget', '900_operations', { text: `export const operations = ${JSON.stringify([createdAt])};` });
    const reporter = knexFactory({ client: 'pg', connection: h.db.url, pool: { min: 1, max: 1 } });
    const report = await reporter.transaction({ isolationLevel: 'repeatable read' });
    try {
      await report.raw('SELECT count(*) FROM tenants');
      const refused = await up(h.ctx, { lockTimeout: 0.2, lockBudget: 0.5 }).catch((e: unknown) => e);
      expect((refused as Error).message).toMatch(/^900_operations \[expand: create index ix_portal_users_created_at\] \(up\) could not get .* within 0\.5 s \(lock_timeout; it runs outside a transaction/);
      expect((refused as { hint?: string }).hint).toMatch(/Run again when that is done, or let it wait longer with --lock-budget \(it carries on from this step\)\.$/);
    } finally {
      await report.rollback();
      await reporter.destroy();
      await h.close();
    }
  });
});
