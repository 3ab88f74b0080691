/**
 * alterColumn: NOT NULL through a validated CHECK; a CHECK, a foreign key and a
 * unique constraint without a scan under a blocking lock; a catalog-only type
 * change (varchar(255) -> text). A type change that would rewrite goes through a
 * new column: alter-column-type.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { up } from '../../src/commands/up';
import type { Operation } from '../../src/operations';
import { operationsDatabase, position } from './harness';
import { describeOperation, writesOf } from './scenario';

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

describe('alterColumn nullable where the column already is so', () => {
  // Its down would change the column the other way, to a state it never had: refused in expand, nothing changed.
  it.each([
    ['name', false, /alterColumn portal_users\.name is already NOT NULL: leave nullable out \(its down would make it nullable\)/],
    ['nickname', true, /alterColumn portal_users\.nickname is already nullable: leave nullable out \(its down would make it NOT NULL\)/],
  ])('%s, nullable: %s', async (column, nullable, message) => {
    const operations: Operation[] = [{ alterColumn: { table: 'portal_users', column, nullable } }];
    const h = await operationsDatabase('nullability', '900_operations', { text: `export const operations = ${JSON.stringify(operations)};` });
    try {
      await h.db.knex.raw('ALTER TABLE portal_users ADD COLUMN nickname text');
      const before = await dumpCatalog(h.db.knex);
      await expect(up(h.ctx)).rejects.toThrow(message);
      expect([await position(h), await dumpCatalog(h.db.knex)]).toEqual(['not started', before]);
    } finally {
      await h.close();
    }
  });
});
