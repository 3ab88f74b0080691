/** addColumn: with `up` (filled from the row, NOT NULL through a validated CHECK, default at contract), and without. */
import { describeOperation, writesOf } from './scenario';

describeOperation('addColumn portal_users.login NOT NULL, filled from email, with a CHECK', {
  operations: [
    {
      addColumn: {
        table: 'portal_users',
        column: { name: 'login', type: 'text', nullable: false, default: `''`, check: { name: 'ck_portal_users_login', constraint: `login <> 'root'` } },
        up: `split_part(email, '@', 1)`,
      },
    },
  ],
  plain: `ALTER TABLE portal_users ADD COLUMN login text DEFAULT '' NOT NULL CONSTRAINT ck_portal_users_login CHECK (login <> 'root');
          UPDATE portal_users SET login = split_part(email, '@', 1)`,
  // The old version knows nothing of login: its rows get it from email.
  old: writesOf('name', 'old name'),
  new: writesOf('login', 'chosen', 'email, hashed_password, name, is_admin, login', `?, 'h', 'n', false, 'first'`),
  newReadsOld: (email: string) => email.split('@')[0],
  oldReadsNew: 'n',
});

describeOperation('addColumn portal_users.score with a constant default (catalog-only, no backfill)', {
  operations: [{ addColumn: { table: 'portal_users', column: { name: 'score', type: 'integer', nullable: false, default: '0' } } }],
  plain: 'ALTER TABLE portal_users ADD COLUMN score integer DEFAULT 0 NOT NULL',
  old: writesOf('name', 'old name'),
  new: writesOf('score', 7),
  newReadsOld: 0,
  oldReadsNew: 'n',
});
