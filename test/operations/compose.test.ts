/**
 * Operations on one table share one expand, one backfill pass and one contract
 * (issue #20 item 1): whatever order the list gives them in, the end state is
 * the plain migration's, down is exact from every step, and both versions are
 * served. The pairs here each fill or check columns of portal_users in the
 * same backfill as a rewriting type change (column-swap.ts), whose new column
 * carries a NOT VALID `IS NOT NULL` CHECK that every write of a row meets.
 */
import type { Operation } from '../../src/operations';
import { SEED, describeOperation, writesOf } from './scenario';
import { always, newColumnWhileDeploying, writes } from './swap-writes';

/**
 * The seed's last columns, timestamptz NOT NULL DEFAULT now(): a swap leaves its column last both ways
 * (down past contract too), so a column already last lets down end at the catalog before exactly.
 */
const SEEN_SEED = `${SEED}; ALTER TABLE portal_users ADD COLUMN nick text, ADD COLUMN seen_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN left_at timestamptz NOT NULL DEFAULT now();
  UPDATE portal_users SET nick = split_part(email, '@', 1), seen_at = '2020-01-02', left_at = '2020-01-03'`;

/** timestamptz -> timestamp (UTC): no binary-compatible cast, so through a new column with its NOT VALID NOT NULL CHECK. */
const retype = (column: string): Operation => ({
  alterColumn: { table: 'portal_users', column, type: 'timestamp', fromType: 'timestamptz', up: `${column} AT TIME ZONE 'UTC'`, down: `${column} AT TIME ZONE 'UTC'` },
});
/** The same as plain SQL, the column ending last as the swap leaves it. */
const plainRetype = (column: string) => `ALTER TABLE portal_users ADD COLUMN ${column}_new timestamp;
  UPDATE portal_users SET ${column}_new = ${column} AT TIME ZONE 'UTC';
  ALTER TABLE portal_users DROP COLUMN ${column}; ALTER TABLE portal_users RENAME COLUMN ${column}_new TO ${column};
  ALTER TABLE portal_users ALTER COLUMN ${column} SET NOT NULL, ALTER COLUMN ${column} SET DEFAULT now()`;

const rename: Operation = { renameColumn: { table: 'portal_users', from: 'name', to: 'display_name' } };
const renameVersions = {
  old: writesOf('name', 'old name'),
  new: writesOf('display_name', 'new name', 'email, hashed_password, display_name, is_admin'),
  newReadsOld: 'old name',
  oldReadsNew: 'new name',
};

const addLogin: Operation = {
  addColumn: { table: 'portal_users', column: { name: 'login', type: 'text', nullable: false, default: `''` }, up: `split_part(email, '@', 1)` },
};
const addLoginVersions = {
  old: writesOf('name', 'old name'),
  new: writesOf('login', 'chosen', 'email, hashed_password, name, is_admin, login', `?, 'h', 'n', false, 'first'`),
  newReadsOld: (email: string) => email.split('@')[0],
  oldReadsNew: 'n',
};

const nickNotNull: Operation = { alterColumn: { table: 'portal_users', column: 'nick', nullable: false } };

for (const order of ['first', 'second'] as const) {
  const listed = <T>(other: T, swap: T): T[] => (order === 'first' ? [other, swap] : [swap, other]);

  describeOperation(`renameColumn name -> display_name listed ${order}, with left_at timestamptz -> timestamp through a new column`, {
    operations: listed(rename, retype('left_at')),
    seed: SEEN_SEED,
    plain: `ALTER TABLE portal_users RENAME COLUMN name TO display_name; ${plainRetype('left_at')}`,
    ...renameVersions,
  });

  describeOperation(`addColumn login NOT NULL with up listed ${order}, with left_at timestamptz -> timestamp through a new column`, {
    operations: listed(addLogin, retype('left_at')),
    seed: SEEN_SEED,
    // The new column and the swap's column end in the order their operations added them.
    plain: listed(`ALTER TABLE portal_users ADD COLUMN login text DEFAULT '' NOT NULL; UPDATE portal_users SET login = split_part(email, '@', 1)`, plainRetype('left_at')).join('; '),
    ...addLoginVersions,
  });

  describeOperation(`alterColumn nick NOT NULL listed ${order}, with left_at timestamptz -> timestamp through a new column`, {
    operations: listed(nickNotNull, retype('left_at')),
    seed: SEEN_SEED,
    plain: `ALTER TABLE portal_users ALTER COLUMN nick SET NOT NULL; ${plainRetype('left_at')}`,
    old: writesOf('name', 'old name', 'email, hashed_password, name, is_admin, nick', `?, 'h', 'n', false, 'nick'`),
    new: writesOf('nick', 'new nick', 'email, hashed_password, name, is_admin, nick', `?, 'h', 'n', false, 'nick'`),
    newReadsOld: 'nick',
    oldReadsNew: 'n',
  });
}

describeOperation('seen_at and left_at timestamptz -> timestamp, both through new columns on one table', {
  // Listed last column first: each swap leaves its column last going up, and going down (in reverse), so down ends in the seed's order.
  operations: [retype('left_at'), retype('seen_at')],
  seed: SEEN_SEED,
  plain: `${plainRetype('left_at')}; ${plainRetype('seen_at')}`,
  old: writesOf('name', 'old name'),
  new: writesOf('name', 'new name'),
  newReadsOld: 'old name',
  oldReadsNew: 'new name',
});

describeOperation('renameColumn, a catalog-only type change (whose new column is never added) and a swap, in one backfill pass (the bench\'s 007 list)', {
  operations: [
    rename,
    { alterColumn: { table: 'portal_users', column: 'hashed_password', type: 'text', fromType: 'varchar(255)' } },
    retype('left_at'),
  ],
  seed: SEEN_SEED,
  plain: `ALTER TABLE portal_users RENAME COLUMN name TO display_name; ALTER TABLE portal_users ALTER COLUMN hashed_password TYPE text; ${plainRetype('left_at')}`,
  ...renameVersions,
});

describeOperation('a batch writing nick and left_at, with left_at through a new column and login added NOT NULL with up, on one table', {
  operations: [
    retype('left_at'),
    addLogin,
    {
      batch: {
        table: 'portal_users', name: 'nick from email, left_at a day later',
        up: `UPDATE portal_users SET nick = 'n-' || split_part(email, '@', 1), left_at = left_at + interval '1 day' WHERE {pages} AND nick NOT LIKE 'n-%'`,
        down: `UPDATE portal_users SET nick = substr(nick, 3), left_at = left_at - interval '1 day' WHERE {pages} AND nick LIKE 'n-%'`,
      },
    },
  ],
  seed: SEEN_SEED,
  plain: `UPDATE portal_users SET nick = 'n-' || split_part(email, '@', 1), left_at = left_at + interval '1 day'; ${plainRetype('left_at')};
    ALTER TABLE portal_users ADD COLUMN login text DEFAULT '' NOT NULL; UPDATE portal_users SET login = split_part(email, '@', 1)`,
  ...addLoginVersions,
});

/** A nullable text column whose every value is a number: text -> integer NOT NULL round-trips each row exactly. */
const CODE_SEED = `${SEED}; ALTER TABLE portal_users ADD COLUMN code text; UPDATE portal_users SET code = length(email)::text || substr(email, 5, 4)`;

describeOperation('alterColumn code text -> integer and NOT NULL on the same column: the new column carries the NOT NULL', {
  operations: [{ alterColumn: { table: 'portal_users', column: 'code', type: 'integer', fromType: 'text', nullable: false, up: 'code::integer', down: 'code::text' } }],
  seed: CODE_SEED,
  plain: `ALTER TABLE portal_users ADD COLUMN code_new integer; UPDATE portal_users SET code_new = code::integer;
          ALTER TABLE portal_users DROP COLUMN code; ALTER TABLE portal_users RENAME COLUMN code_new TO code;
          ALTER TABLE portal_users ALTER COLUMN code SET NOT NULL`,
  old: writes(always('code'), '17', (c) => c),
  new: writes(newColumnWhileDeploying('code'), 42, (c) => c),
  newReadsOld: 17,
  oldReadsNew: '42',
});
