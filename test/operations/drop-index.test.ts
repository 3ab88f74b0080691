/** dropIndex: DROP INDEX CONCURRENTLY at contract; built again CONCURRENTLY going down, from the definition given. */
import { describeOperation, writesOf } from './scenario';

describeOperation('dropIndex ix_portal_users_name (made by sql in the same list, so 005 stays the start)', {
  operations: [
    { sql: { up: 'CREATE INDEX ix_portal_users_name ON portal_users (name)', down: 'DROP INDEX ix_portal_users_name' } },
    { dropIndex: { name: 'ix_portal_users_name', table: 'portal_users', columns: ['name'] } },
  ],
  plain: 'SELECT 1',
  old: writesOf('name', 'old name'),
  new: writesOf('name', 'new name'),
  newReadsOld: 'old name',
  oldReadsNew: 'new name',
});
