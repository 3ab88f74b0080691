/**
 * The backfill keeps the table's own triggers out (found by review: a BEFORE UPDATE trigger stamped every row's
 * updated_at with the migration's time, an audit trigger logged a row per row backfilled). Where it cannot (a user
 * who may not set session_replication_role, a trigger that fires in replica mode too), `up` refuses before anything.
 */
import knexFactory from 'knex';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { up } from '../../src/commands/up';
import { backfillTriggerProblems } from '../../src/operations/backfill-triggers';
import { startChecks } from '../../src/operations/start-checks';
import { createLoginRole, type LoginRole } from '../support/login-role';
import { adminUrl } from '../support/test-database';
import { operationsDatabase, type OperationsDatabase } from './harness';

let h: OperationsDatabase;
let role: LoginRole | undefined;

beforeAll(async () => {
  h = await operationsDatabase('backfill_triggers', '900_rename_email', {
    text: `export const operations = [{ renameColumn: { table: 'portal_users', from: 'email', to: 'email_address' } }];`,
  });
  await h.db.knex.raw(`
    INSERT INTO portal_users (email, hashed_password, name, is_admin, updated_at)
      SELECT 'u' || n || '@example.com', 'h', 'U' || n, false, '2020-01-01 00:00:00+00' FROM generate_series(1, 300) AS n;
    CREATE TABLE audit (at timestamptz DEFAULT now());
    CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
    CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit DEFAULT VALUES; RETURN NULL; END $$;
    CREATE TRIGGER set_updated_at BEFORE UPDATE ON portal_users FOR EACH ROW EXECUTE FUNCTION stamp();
    CREATE TRIGGER audit_update AFTER UPDATE ON portal_users FOR EACH ROW EXECUTE FUNCTION audit_row();`);
});
afterAll(async () => {
  await h?.close();
  if (role) {
    const admin = knexFactory({ client: 'pg', connection: adminUrl(), pool: { min: 0, max: 1 } });
    await role.drop(admin).finally(() => admin.destroy());
  }
});

it('backfills without firing the table\'s triggers: no row re-stamped, nothing audited', async () => {
  await up(h.ctx);
  const { rows } = await h.db.knex.raw(`SELECT count(*)::int AS n, count(*) FILTER (WHERE updated_at = '2020-01-01 00:00:00+00')::int AS kept,
    (SELECT count(*)::int FROM audit) AS audited, count(email_address)::int AS named FROM portal_users`);
  expect(rows).toEqual([{ n: 300, kept: 300, audited: 0, named: 300 }]);
});

it('says why it cannot start where the user may not keep them out, or a trigger fires in replica mode too', async () => {
  expect(await backfillTriggerProblems(h.db.knex, ['portal_users'])).toEqual([]);
  role = await createLoginRole(h.db.knex, h.db.name, { createRole: false });
  const asRole = knexFactory({ client: 'pg', connection: role.urlFor(h.db.url), pool: { min: 0, max: 1 } });
  try {
    // Only an operation that walks the rows asks (found by review: an addColumn without `up` was refused).
    const nick = { name: 'nick', type: 'text' };
    expect(await startChecks([{ addColumn: { table: 'portal_users', column: nick } }])(asRole)).toEqual([]);
    expect(await startChecks([{ addColumn: { table: 'portal_users', column: nick, up: 'name' } }])(asRole)).toHaveLength(1);
    expect(await backfillTriggerProblems(asRole, ['portal_users'])).toEqual([
      `the backfill of portal_users would fire its triggers audit_update, set_updated_at, and this user may not set session_replication_role to keep them out: GRANT SET ON PARAMETER session_replication_role TO ${role.name}, or run as a superuser`,
    ]);
  } finally {
    await asRole.destroy();
  }
  await h.db.knex.raw('ALTER TABLE portal_users ENABLE ALWAYS TRIGGER audit_update');
  expect(await backfillTriggerProblems(h.db.knex, ['portal_users'])).toEqual([
    'the backfill of portal_users would fire audit_update (ENABLE ALWAYS or REPLICA triggers fire even with session_replication_role = replica)',
  ]);
});
