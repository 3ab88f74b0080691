/**
 * The rollback recipe of docs/online-migrations.md, run as written (#24, item 5):
 * each `konstruct-migrate` line of its code block in order, on a database where
 * the new version made a user customer_operator. The dry run names that loss,
 * `down` without --yes refuses it (exit 7), and the recipe ends exactly at 005.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { historyNames } from '../support/database-state';
import { REPO_ROOT } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let env: Record<string, string>;

/** The commands of the code block after "Rolling back goes the same way in reverse:", comments and prose lines dropped. */
function recipe(): string[][] {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs', 'online-migrations.md'), 'utf8');
  const after = doc.slice(doc.indexOf('Rolling back goes the same way in reverse:'));
  const block = after.slice(after.indexOf('```sh\n') + 6, after.indexOf('\n```', after.indexOf('```sh\n') + 6));
  return block
    .split('\n')
    .filter((line) => line.startsWith('konstruct-migrate '))
    .map((line) => line.replace(/#.*$/, '').trim().split(/\s+/).slice(1));
}

beforeAll(async () => {
  db = await createTestDatabase('rollback_recipe');
  env = { DATABASE_URL: db.url };
  for (const args of [['up', '--to', '005'], ['up', '--expand'], ['complete']]) {
    const run = await runCli(args, { env });
    expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
  }
  // What the new version did meanwhile: made a user customer_operator.
  await db.knex('portal_users').insert({ email: 'op@x', hashed_password: 'h', name: 'Op', role: 'customer_operator' });
});
afterAll(async () => db?.drop());

it('the documented commands are the three commands of the four steps, and each does what its comment says', async () => {
  const steps = recipe();
  expect(steps).toEqual([['down', '--to-expanded'], ['down', '--dry-run'], ['down', '--yes']]);

  const toExpanded = await runCli(steps[0]!, { env });
  expect(toExpanded.code, toExpanded.stderr).toBe(0);
  expect(toExpanded.stdout).toMatch(/006_rbac_roles is back to expanded and held/);

  const dryRun = await runCli(steps[1]!, { env });
  expect(dryRun.code, dryRun.stderr).toBe(0);
  expect(dryRun.stdout).toContain(
    'Reverting for real would destroy:\n  006_rbac_roles: portal_users with role customer_operator (become is_admin = false): 1\n',
  );

  // What the docs say happens without --yes.
  const refused = await runCli(['down'], { env });
  expect(refused.code).toBe(7);
  expect(refused.stderr).toMatch(/^error: refusing to revert: it would destroy data \(006_rbac_roles: .*customer_operator \(become is_admin = false\): 1\)/);

  const yes = await runCli(steps[2]!, { env });
  expect(yes.code, yes.stderr).toBe(0);
  expect(await historyNames(db.knex)).toEqual(['005_baseline']);
  expect(await db.knex('portal_users').where({ email: 'op@x' }).first('is_admin')).toEqual({ is_admin: false });
  const verify = await runCli(['verify'], { env });
  expect(verify.code, verify.stdout).toBe(0);
});
