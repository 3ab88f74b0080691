/**
 * The 006 twin's CLI run killed with SIGKILL in the middle of its backfill: the
 * next `up` carries on from the saved cursor, so it redoes at most the batch
 * that was running (one page per batch here: exactly the pages from the cursor
 * on), and ends at the target catalog with every role by the seed's mapping.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { readPhaseStates } from '../../src/history/phase-state';
import { runCli, startCli } from '../support/cli';
import { expectedCatalog } from '../support/spec-files';
import { waitUntil } from '../support/wait-until';
import { operationsDatabase } from './harness';

const NAME = '006_rbac_roles_operations';

it('SIGKILL mid-backfill, then up: only the pages from the cursor on are batched again; the end state is exact', async () => {
  const h = await operationsDatabase('sigkill', NAME, { file: path.join(__dirname, 'fixtures', `${NAME}.ts`) });
  try {
    await h.db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, is_admin) SELECT 'u' || i, 'h', 'U', i % 7 = 0 FROM generate_series(1, 3000) AS i`);
    const env = { DATABASE_URL: h.db.url, KONSTRUCT_MIGRATIONS_DIR: path.dirname(h.migration.file) };
    // --batch-size 1: one heap page per batch, whatever the table's statistics say.
    const run = startCli(['up', '--batch-size', '1', '--batch-pause', '100'], { env, timeoutMs: 60_000 });
    const cursor = async () => (await readPhaseStates(h.db.knex))[0]?.cursor ?? null;
    await waitUntil(async () => Number((await cursor()) ?? 0) >= 3, 'three batches of the backfill committed');
    run.kill('SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');

    const [state] = await readPhaseStates(h.db.knex);
    expect(state).toMatchObject({ name: NAME, stepsDone: 1, direction: 'up', cursor: expect.stringMatching(/^\d+$/) });
    const resumed = await runCli(['up', '--batch-size', '1'], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    // The backfill's own updates put new row versions at the table's end, and each batch reads the size
    // anew: the resumed run covers the pages from the cursor to the end as it stood at the last batch.
    const { rows } = await h.db.knex.raw(`SELECT pg_relation_size('portal_users') / current_setting('block_size')::int AS pages`);
    const pagesLeft = Number(rows[0].pages) - Number(state!.cursor);
    expect(resumed.stdout).toMatch(new RegExp(`· backfill: fill portal_users: role \\([^,]+, ${pagesLeft} batches,`));
    // A step with nothing to do going up (NOT NULL back, for down only) prints no line.
    expect(resumed.stdout).not.toMatch(/restore NOT NULL/);
    expect(await dumpCatalog(h.db.knex)).toBe(await expectedCatalog(h.db.knex, 'target-catalog-after-006.sql'));
    const wrong = await h.db.knex.raw(`SELECT count(*)::int AS n FROM portal_users
      WHERE role <> CASE WHEN substr(email, 2)::int % 7 = 0 THEN 'platform_admin' ELSE 'customer_admin' END`);
    expect(wrong.rows[0].n).toBe(0);
  } finally {
    await h.close();
  }
});
