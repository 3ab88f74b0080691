/**
 * A part-way migration's state names what the application versions can do
 * (#24, item 2): `expanded` only once expand and backfill are done, so a run
 * stopped mid-backfill never invites deploying the new version. Checked in the
 * table, the --json document and `status --check`, from a phase row as a run
 * stopped at each point leaves it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { savePhaseState } from '../../src/history/phase-state';
import { partWayState } from '../../src/phased/part-way-state';
import { runCli } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

// 006_rbac_roles: expand, backfill, then four contract steps.
const STEPS_006 = [{ phase: 'expand' }, { phase: 'backfill' }, { phase: 'contract' }, { phase: 'contract' }, { phase: 'contract' }, { phase: 'contract' }] as const;

describe('partWayState', () => {
  it('names each point of 006 by what is served', () => {
    expect([0, 1, 2, 3, 5].map((done) => partWayState(STEPS_006, done))).toEqual(['expanding', 'backfilling', 'expanded', 'contracting', 'contracting']);
  });

  it('a migration without a backfill is expanded right after its expand steps', () => {
    expect(partWayState([{ phase: 'expand' }, { phase: 'expand' }, { phase: 'contract' }], 1)).toBe('expanding');
    expect(partWayState([{ phase: 'expand' }, { phase: 'expand' }, { phase: 'contract' }], 2)).toBe('expanded');
  });
});

describe('status of 006 stopped part-way', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('partway');
    const setup = await runCli(['up', '--to', '005'], { env: { DATABASE_URL: db.url } });
    expect(setup.code, setup.stderr).toBe(0);
  });
  afterAll(async () => {
    await db?.drop();
  });

  const standAt = (stepsDone: number, cursor: string | null) =>
    savePhaseState(db.knex, { name: '006_rbac_roles', stepsDone, direction: 'up', cursor, rowsDone: 0, held: false, checksum: null });

  it('between two backfill batches: backfilling, never expanded, in the table, the JSON and --check', async () => {
    await standAt(1, '0');
    const env = { DATABASE_URL: db.url };
    const table = await runCli(['status', '--no-color'], { env });
    expect(table.stdout).toMatch(/\n006_rbac_roles\s+backfilling\s+-\s+-\n/);
    expect(table.stdout).toMatch(/006_rbac_roles stands part-way, backfilling: only the old application version is served until it is expanded \(1 of 6 steps done; last run going up\)\./);
    expect(table.stdout).not.toMatch(/expanded:/);

    const json = await runCli(['status', '--check', '--json'], { env });
    expect(json.code).toBe(3);
    const document = JSON.parse(json.stdout);
    expect(document.exitCode).toBe(3);
    expect(document.result.partWay).toEqual(['006_rbac_roles']);
    expect(document.result.migrations[1]).toMatchObject({ name: '006_rbac_roles', state: 'backfilling', partWay: { state: 'backfilling', expanded: false, phase: 'backfill' } });
  });

  it('once expand and backfill are done: expanded, both versions served', async () => {
    await standAt(2, null);
    const json = await runCli(['status', '--json'], { env: { DATABASE_URL: db.url } });
    expect(JSON.parse(json.stdout).result.migrations[1]).toMatchObject({ state: 'expanded', partWay: { state: 'expanded', expanded: true, phase: 'contract' } });
  });

  it('after a contract step: contracting, only the new version served', async () => {
    await standAt(3, null);
    const table = await runCli(['status', '--no-color'], { env: { DATABASE_URL: db.url } });
    expect(table.stdout).toMatch(/\n006_rbac_roles\s+contracting\s+-\s+-\n/);
    expect(table.stdout).toMatch(/stands part-way, contracting: only the new application version is served \(3 of 6 steps done/);
  });
});
