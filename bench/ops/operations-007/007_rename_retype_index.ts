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
 * The rewriting change comes first on purpose: listed after the rename, the
 * rename's fill step (which sets konstruct_migrate.backfill, so the swap's
 * trigger leaves the row alone) updates rows whose `konstruct_new_updated_at` is
 * still NULL and fails on its NOT VALID `IS NOT NULL` CHECK (seen at 2,000
 * rows: `up` exits 6 at step 3; a bug in how the swap composes with another
 * fill on the same table, reported, not fixed here).
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
