/**
 * Reverting 006 destroys user_tenant_roles, portal_invitations and the
 * customer_operator role. `down` counts that first, and refuses (exit 7,
 * changing nothing) unless --yes is given or a person on a terminal agrees.
 */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { terminalConfirmation, askToDestroy } from '../../src/cli/confirm-data-loss';
import { down } from '../../src/commands/down';
import { up } from '../../src/commands/up';
import type { MigrationContext } from '../../src/context';
import { RefusedDestructiveError } from '../../src/engine/data-loss';
import { runCli } from '../support/cli';
import { testContext } from '../support/context';
import { databaseState, historyNames } from '../support/database-state';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let ctx: MigrationContext;
const cli = (...args: string[]) => runCli(args, { env: { DATABASE_URL: db.url } });

beforeAll(async () => {
  db = await createTestDatabase('guardeddown');
  ctx = await testContext(db.url);
});
afterAll(async () => {
  await ctx?.close();
  await db?.drop();
});
beforeEach(async () => {
  await down(ctx, { all: true, yes: true });
  await up(ctx);
});

/** Two tenant roles, one invitation, and one customer_operator among three users. */
async function seedRbacData(): Promise<void> {
  await db.knex.raw(`
    WITH t AS (INSERT INTO tenants (name, slug) VALUES ('Acme', 'acme') RETURNING id),
         u AS (INSERT INTO portal_users (email, hashed_password, name, role) VALUES
                 ('admin@x', 'h', 'Admin', 'platform_admin'),
                 ('owner@x', 'h', 'Owner', 'customer_admin'),
                 ('op@x', 'h', 'Operator', 'customer_operator') RETURNING id, role),
         r AS (INSERT INTO user_tenant_roles (user_id, tenant_id, role)
                 SELECT u.id, t.id, u.role FROM u, t WHERE u.role <> 'platform_admin' RETURNING 1)
    INSERT INTO portal_invitations (email, name, tenant_id, role, token_hash, expires_at)
      SELECT 'new@x', 'New', t.id, 'customer_operator', 'hash', now() + interval '1 day' FROM t`);
}

describe('down that would destroy data', () => {
  it('is refused without --yes (exit 7), printing the counts, and changes nothing', async () => {
    await seedRbacData();
    const before = await databaseState(db.knex);

    const run = await cli('down');
    expect(run.code).toBe(7);
    expect(run.stderr).toContain(
      'error: refusing to revert: it would destroy data (006_rbac_roles: rows in user_tenant_roles (dropped): 2, ' +
        'rows in portal_invitations (dropped): 1, portal_users with role customer_operator (become is_admin = false): 1)',
    );
    expect(run.stderr).toMatch(/Nothing was changed\. .*--yes/);
    expect(await databaseState(db.knex)).toEqual(before);
    expect(await db.knex('user_tenant_roles').count({ n: '*' })).toEqual([{ n: '2' }]);
  });

  it('--json carries the counts', async () => {
    await seedRbacData();
    const run = await cli('down', '--json');
    expect(run.code).toBe(7);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ command: 'down', ok: false, exitCode: 7, result: null, error: { completed: [] } });
    expect(doc.error.type).toBe('RefusedDestructiveError');
    expect(doc.error.dataLoss).toEqual([
      {
        migration: '006_rbac_roles',
        losses: [
          { what: 'rows in user_tenant_roles (dropped)', count: 2 },
          { what: 'rows in portal_invitations (dropped)', count: 1 },
          { what: 'portal_users with role customer_operator (become is_admin = false)', count: 1 },
        ],
      },
    ]);
  });

  it('goes ahead with --yes and says what it destroyed', async () => {
    await seedRbacData();
    const run = await cli('down', '--yes');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/↓ 006_rbac_roles[\s\S]*Destroyed, as confirmed:\n {2}006_rbac_roles: rows in user_tenant_roles \(dropped\): 2/);
    expect(await historyNames(db.knex)).toEqual(['005_baseline']);
    expect(await db.knex('portal_users').orderBy('email').select('email', 'is_admin')).toEqual([
      { email: 'admin@x', is_admin: true },
      { email: 'op@x', is_admin: false },
      { email: 'owner@x', is_admin: false },
    ]);
  });

  it('needs no confirmation when nothing would be lost', async () => {
    await db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, role) VALUES ('admin@x', 'h', 'A', 'platform_admin')`);
    const run = await cli('down');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/↓ 006_rbac_roles/);
  });

  it('counting does not hang on a table another session locks: exit 5 under --lock-timeout, nothing changed', async () => {
    const other = await db.knex.transaction();
    try {
      await other.raw('LOCK TABLE user_tenant_roles IN ACCESS EXCLUSIVE MODE');
      const run = await cli('down', '--lock-timeout', '0.5');
      expect(run.code).toBe(5);
      expect(run.stderr).toMatch(/error: could not count what reverting 006_rbac_roles would destroy: a table it reads is locked by another session/);
    } finally {
      await other.rollback();
    }
    expect(await historyNames(db.knex)).toEqual(['005_baseline', '006_rbac_roles']);
  });

  it('a table dropped behind its back: exit 6 saying counting failed and pointing at verify, nothing changed', async () => {
    const drifted = await createTestDatabase('guardeddrift');
    try {
      const env = { DATABASE_URL: drifted.url };
      expect((await runCli(['up'], { env })).code).toBe(0);
      await drifted.knex.raw('DROP TABLE portal_invitations');
      const before = await databaseState(drifted.knex);
      const run = await runCli(['down'], { env });
      expect(run.code).toBe(6);
      expect(run.stderr).toMatch(
        /error: could not count what reverting 006_rbac_roles would destroy: relation "portal_invitations" does not exist \[SQLSTATE 42P01\]\n.*konstruct-migrate verify/,
      );
      expect(await databaseState(drifted.knex)).toEqual(before);
    } finally {
      await drifted.drop();
    }
  });

  it('--all also guards 005, whose revert drops tenants and portal_users', async () => {
    await db.knex.raw(`INSERT INTO tenants (name, slug) VALUES ('Acme', 'acme')`);
    const run = await cli('down', '--all');
    expect(run.code).toBe(7);
    // Only what would actually be lost is listed: no portal_users rows, one tenant.
    expect(run.stderr).toContain('it would destroy data (005_baseline: rows in tenants (dropped): 1)');
    expect(await historyNames(db.knex)).toEqual(['005_baseline', '006_rbac_roles']);
  });
});

describe('asking on a terminal', () => {
  it('the library asks through confirmDataLoss: a no refuses and changes nothing, a yes reverts', async () => {
    await seedRbacData();
    const before = await databaseState(db.knex);
    const asked: unknown[] = [];
    const refused = await down(ctx, { confirmDataLoss: async (loss) => (asked.push(loss), false) }).catch((e) => e);
    expect(refused).toBeInstanceOf(RefusedDestructiveError);
    expect(asked).toHaveLength(1);
    expect(await databaseState(db.knex)).toEqual(before);

    const result = await down(ctx, { confirmDataLoss: async () => true });
    expect(result.reverted.map((s) => s.name)).toEqual(['006_rbac_roles']);
    expect(result.dataLoss[0]!.losses.map((l) => l.count)).toEqual([2, 1, 1]);
  });

  it('the prompt prints the counts and takes only an explicit "yes"', async () => {
    const loss = [{ migration: '006_rbac_roles', losses: [{ what: 'rows in user_tenant_roles (dropped)', count: 2 }] }];
    const answer = async (typed: string | null) => {
      const input = new PassThrough();
      const output = new PassThrough();
      let shown = '';
      output.on('data', (d) => (shown += d));
      const asked = askToDestroy(loss, input, output);
      if (typed === null) input.end();
      else input.write(`${typed}\n`);
      return { yes: await asked, shown };
    };
    const yes = await answer('yes');
    expect(yes.yes).toBe(true);
    expect(yes.shown).toContain('006_rbac_roles: rows in user_tenant_roles (dropped): 2');
    expect(yes.shown).toContain('Revert anyway? Type "yes" to go on:');
    expect((await answer('y')).yes).toBe(false);
    expect((await answer('')).yes).toBe(false);
    expect((await answer(null)).yes).toBe(false);
  });

  it('is offered only when stdin and stderr are both terminals', async () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    const pipe = new PassThrough();
    const terminalOut = Object.assign(new PassThrough(), { isTTY: true });
    // Offered: it asks on the terminal and takes the "yes" typed there.
    const asked = terminalConfirmation(tty, terminalOut)?.([{ migration: '006_rbac_roles', losses: [{ what: 'rows in user_tenant_roles (dropped)', count: 2 }] }]);
    tty.write('yes\n');
    expect(await asked).toBe(true);
    expect(terminalConfirmation(pipe, tty)).toBeUndefined();
    expect(terminalConfirmation(tty, pipe)).toBeUndefined();
  });
});
