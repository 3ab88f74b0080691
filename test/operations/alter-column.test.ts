/**
 * alterColumn: NOT NULL through a validated CHECK; a CHECK, a foreign key and a
 * unique constraint without a scan under a blocking lock; a catalog-only type
 * change (varchar(255) -> text), and a rewriting one refused, changing nothing.
 */
import { describe, expect, it } from 'vitest';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { up } from '../../src/commands/up';
import { expectedCatalog } from '../support/spec-files';
import { operationsDatabase } from './harness';
import { SEED, describeOperation, writesOf } from './scenario';

const bothWriteName = { old: writesOf('name', 'old name'), new: writesOf('name', 'new name'), newReadsOld: 'old name', oldReadsNew: 'new name' };

describeOperation('alterColumn portal_users.name: type text, a CHECK, unique', {
  operations: [
    { sql: { up: `ALTER TABLE portal_users ADD COLUMN nickname text`, down: 'ALTER TABLE portal_users DROP COLUMN nickname' } },
    {
      alterColumn: {
        table: 'portal_users', column: 'name', type: 'text', fromType: 'varchar(255)', down: 'left(name, 255)',
        check: { name: 'ck_portal_users_name', constraint: `name <> ''` }, unique: { name: 'uq_portal_users_name' },
      },
    },
  ],
  plain: `ALTER TABLE portal_users ADD COLUMN nickname text;
          ALTER TABLE portal_users ALTER COLUMN name TYPE text, ADD CONSTRAINT ck_portal_users_name CHECK (name <> ''),
            ADD CONSTRAINT uq_portal_users_name UNIQUE (name)`,
  // name is unique from expand on (the index is built by then): each row writes its own.
  old: writesOf('name', (email: string) => `old ${email}`, 'email, hashed_password, name, is_admin', `?, 'h', ?, false`),
  new: writesOf('nickname', 'nick', 'email, hashed_password, name, is_admin', `?, 'h', ?, false`),
  newReadsOld: null,
  oldReadsNew: (email: string) => email,
});

describeOperation('alterColumn portal_users.updated_at: nullable, then a foreign key on a new column', {
  operations: [
    { alterColumn: { table: 'portal_users', column: 'updated_at', nullable: true } },
    { addColumn: { table: 'portal_users', column: { name: 'tenant_id', type: 'uuid' } } },
    { alterColumn: { table: 'portal_users', column: 'tenant_id', references: { name: 'portal_users_tenant_id_fkey', table: 'tenants', column: 'id' } } },
  ],
  plain: `ALTER TABLE portal_users ALTER COLUMN updated_at DROP NOT NULL;
          ALTER TABLE portal_users ADD COLUMN tenant_id uuid CONSTRAINT portal_users_tenant_id_fkey REFERENCES tenants (id)`,
  ...bothWriteName,
});

describe('alterColumn to a type that rewrites the table', () => {
  it('is refused with the reason, and the migration changes nothing', async () => {
    const operations = [{ alterColumn: { table: 'portal_users', column: 'name', type: 'bytea' } }];
    const h = await operationsDatabase('rewrite', '900_operations', { text: `export const operations = ${JSON.stringify(operations)};` });
    try {
      await h.db.knex.raw(SEED);
      await expect(up(h.ctx)).rejects.toThrow(/alterColumn portal_users\.name: a change to bytea rewrites the table under ACCESS EXCLUSIVE/);
      expect(await dumpCatalog(h.db.knex)).toBe(await expectedCatalog(h.db.knex, 'catalog-after-005.sql'));
    } finally {
      await h.close();
    }
  });
});
