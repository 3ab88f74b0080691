/**
 * Duplicate numbers and out-of-order pending migrations (#24, item 3): `status`
 * flags them, `up` refuses them (exit 2, naming both files, nothing applied)
 * unless --allow-out-of-order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { historyNames } from '../support/database-state';
import { sqlMigration, tempMigrations, type TempMigrations } from '../support/temp-migrations';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let folder: TempMigrations;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase('order');
  folder = tempMigrations({
    '001_widgets': sqlMigration('CREATE TABLE widgets (id int)', 'DROP TABLE widgets'),
    '007_add_phone': sqlMigration('ALTER TABLE widgets ADD phone text', 'ALTER TABLE widgets DROP phone'),
  });
  env = { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: folder.dir };
  const first = await runCli(['up'], { env });
  expect(first.code, first.stderr).toBe(0);
  // A branch merged late: the same number, sorting before the applied 007_add_phone.
  folder.write('007_add_nickname', sqlMigration('ALTER TABLE widgets ADD nickname text', 'ALTER TABLE widgets DROP nickname'));
});
afterAll(async () => {
  await db?.drop();
  folder?.remove();
});

describe('a pending 007_add_nickname beside an applied 007_add_phone', () => {
  it('status flags both problems, naming both files, and is not up to date', async () => {
    const run = await runCli(['status', '--no-color'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      '\nOut of order: 007_add_nickname.js and 007_add_phone.js have the same number 007.\n' +
        'Out of order: 007_add_nickname.js is pending but sorts before 007_add_phone.js, which is applied.\n' +
        '  `konstruct-migrate up` refuses to apply them: renumber the pending file after the newest one, or pass --allow-out-of-order.\n',
    );
    expect(run.stdout).toMatch(/\n2 applied, 1 pending, 2 order problems\.\n$/);

    const json = JSON.parse((await runCli(['status', '--json'], { env })).stdout);
    expect(json.result.order).toEqual([
      { problem: 'same-number', migrations: ['007_add_nickname', '007_add_phone'], pending: true, message: '007_add_nickname.js and 007_add_phone.js have the same number 007' },
      { problem: 'out-of-order', migrations: ['007_add_nickname', '007_add_phone'], pending: true, message: '007_add_nickname.js is pending but sorts before 007_add_phone.js, which is applied' },
    ]);
  });

  it('up refuses: exit 2, one line naming both files, what to do, nothing applied', async () => {
    const run = await runCli(['up'], { env });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'error: 007_add_nickname.js and 007_add_phone.js have the same number 007; 007_add_nickname.js is pending but sorts before 007_add_phone.js, which is applied: up would apply migrations out of file order\n' +
        '  Renumber it after the newest migration (e.g. 007_add_nickname -> 008_add_nickname), or pass --allow-out-of-order to apply it as it is. Nothing was changed.\n',
    );
    expect(await historyNames(db.knex)).toEqual(['001_widgets', '007_add_phone']);
    const json = JSON.parse((await runCli(['up', '--json'], { env })).stdout);
    expect(json).toMatchObject({ ok: false, exitCode: 2, error: { type: 'MigrationOrderError' } });
  });

  it('up --allow-out-of-order applies it', async () => {
    const run = await runCli(['up', '--allow-out-of-order'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(await historyNames(db.knex)).toEqual(['001_widgets', '007_add_phone', '007_add_nickname']);
  });

  it('once both are applied, status still flags the shared number, and up has nothing to refuse', async () => {
    const status = await runCli(['status', '--no-color'], { env });
    expect(status.stdout).toContain('\nOut of order: 007_add_nickname.js and 007_add_phone.js have the same number 007.\n  Both are applied: keep them as they are.\n');
    const up = await runCli(['up'], { env });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/Nothing to apply/);
  });
});
