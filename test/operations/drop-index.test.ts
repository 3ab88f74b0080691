/** dropIndex: DROP INDEX CONCURRENTLY at contract; built again CONCURRENTLY going down, from the definition given. */
import { describeOperation, writesOf } from './scenario';

describeOperation('dropIndex ix_portal_users_name (made by createIndex in the same list, so 005 stays the start)', {
  operations: [
    { createIndex: { table: 'portal_users', name: 'ix_portal_users_name', columns: ['name'] } },
    { dropIndex: { name: 'ix_portal_users_name', table: 'portal_users', columns: ['name'] } },
  ],
  plain: 'SELECT 1',
  old: writesOf('name', 'old name'),
  new: writesOf('name', 'new name'),
  newReadsOld: 'old name',
  oldReadsNew: 'new name',
});
