/**
 * The operations scenario's migration (issue #20 item 6), as operations: a
 * rename, a type change and an index on portal_users, in one migration.
 * The type change is catalog-only (varchar(255) -> text): what alterColumn
 * supports today; a type change that must rewrite is not measured here.
 * Its twin written as a plain migration is ../plain-007/.
 */
import type { Operation } from '../../../src/operations';

export const operations: Operation[] = [
  { renameColumn: { table: 'portal_users', from: 'name', to: 'display_name' } },
  { alterColumn: { table: 'portal_users', column: 'hashed_password', type: 'text', fromType: 'varchar(255)' } },
  { createIndex: { table: 'portal_users', name: 'ix_portal_users_created_at', columns: ['created_at'] } },
];
