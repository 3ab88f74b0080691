/** sql: run as written in the expand transaction, its down in reverse going down. */
import { describeOperation, writesOf } from './scenario';

describeOperation('sql: a comment on portal_users.name', {
  operations: [{ sql: { up: `COMMENT ON COLUMN portal_users.name IS 'shown name'`, down: 'COMMENT ON COLUMN portal_users.name IS NULL' } }],
  plain: `COMMENT ON COLUMN portal_users.name IS 'shown name'`,
  old: writesOf('name', 'old name'),
  new: writesOf('name', 'new name'),
  newReadsOld: 'old name',
  oldReadsNew: 'new name',
});
