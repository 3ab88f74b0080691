/** renameColumn: both names served until contract; the end state is a plain RENAME's (column order included). */
import { describeOperation, writesOf } from './scenario';

describeOperation('renameColumn portal_users.name -> display_name', {
  operations: [{ renameColumn: { table: 'portal_users', from: 'name', to: 'display_name' } }],
  plain: 'ALTER TABLE portal_users RENAME COLUMN name TO display_name',
  old: writesOf('name', 'old name'),
  new: writesOf('display_name', 'new name', 'email, hashed_password, display_name, is_admin'),
  newReadsOld: 'old name',
  oldReadsNew: 'new name',
});
