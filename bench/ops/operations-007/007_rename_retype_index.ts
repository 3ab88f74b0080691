/**
 * The operations scenario's migration (issue #20 item 6), as operations: a
 * rename, two type changes and an index on portal_users, in one migration.
 * - `hashed_password` varchar(255) -> text: catalog-only (binary-compatible).
 * - `updated_at` timestamptz -> timestamp (UTC): no binary-compatible cast, so
 *   it rewrites, and goes through the new column `konstruct_new_updated_at`
 *   (column-swap.ts). portal_users has no integer column for the usual
 *   int -> bigint, and its other text columns carry constraints the swap
 *   refuses (email's unique key, role's CHECK); `updated_at` is written by both
 *   application versions (`updated_at = now()`), and what they write fits both
 *   types, so each keeps using the column by its name, as the docs' recipe says
 *   for such a change.
 * The order of the list does not matter: operations on one table fill their
 * columns in one backfill pass (issue #20 item 1; test/operations/compose.test.ts).
 * Its twin written as a plain migration is ../plain-007/.
 */
import type { Operation } from '../../../src/operations';

export const operations: Operation[] = [
  {
    alterColumn: {
      table: 'portal_users', column: 'updated_at', type: 'timestamp', fromType: 'timestamptz',
      up: "updated_at AT TIME ZONE 'UTC'", down: "updated_at AT TIME ZONE 'UTC'",
    },
  },
  { renameColumn: { table: 'portal_users', from: 'name', to: 'display_name' } },
  { alterColumn: { table: 'portal_users', column: 'hashed_password', type: 'text', fromType: 'varchar(255)' } },
  { createIndex: { table: 'portal_users', name: 'ix_portal_users_created_at', columns: ['created_at'] } },
];
