/**
 * dropColumn: served to the old version until contract, filled from `down` for
 * the new version's writes, and its values restored from `down` going down.
 * (Dropped is 005's last column: a column from the middle would come back last.)
 */
import { SEED, describeOperation, writesOf } from './scenario';

describeOperation('dropColumn portal_users.is_admin, restored from name', {
  operations: [{ dropColumn: { table: 'portal_users', column: 'is_admin', type: 'boolean', nullable: false, down: `name LIKE 'Admin%'` } }],
  plain: 'ALTER TABLE portal_users DROP COLUMN is_admin',
  seed: `${SEED}; UPDATE portal_users SET name = 'Admin ' || email WHERE is_admin`,
  old: writesOf('is_admin', true),
  new: writesOf('name', 'Admin new', 'email, hashed_password, name', `?, 'h', 'n'`),
  newReadsOld: 'n',
  oldReadsNew: true,
});
