/** batch: a custom batched step over heap pages, resumable, with its own down. */
import { describeOperation, writesOf } from './scenario';

describeOperation('batch: names upper-cased, and back', {
  operations: [
    {
      batch: {
        table: 'portal_users',
        name: 'upper-case seeded names',
        up: `UPDATE portal_users SET name = upper(name) WHERE {pages} AND email LIKE 'seed%' AND name <> upper(name)`,
        down: `UPDATE portal_users SET name = initcap(name) WHERE {pages} AND email LIKE 'seed%' AND name = upper(name)`,
      },
    },
  ],
  plain: `UPDATE portal_users SET name = upper(name) WHERE email LIKE 'seed%'`,
  old: writesOf('name', 'old name'),
  new: writesOf('name', 'new name'),
  newReadsOld: 'old name',
  oldReadsNew: 'new name',
});
