/** dropTable: served until contract, dropped there; made again (empty) from `down` going down past it. */
import { describeOperation, writesOf } from './scenario';

describeOperation('dropTable tenant_notes (made by sql in the same list, so 005 stays the start)', {
  operations: [
    { sql: { up: 'CREATE TABLE tenant_notes (note text)', down: 'DROP TABLE tenant_notes' } },
    { dropTable: { table: 'tenant_notes', down: 'CREATE TABLE tenant_notes (note text)' } },
  ],
  plain: 'SELECT 1',
  old: writesOf('name', 'old name'),
  new: writesOf('name', 'new name'),
  newReadsOld: 'old name',
  oldReadsNew: 'new name',
});
