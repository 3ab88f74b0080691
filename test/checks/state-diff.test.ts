/**
 * diffStates, without a server: what two snapshots around a statement and the
 * server's DEBUG1 messages say it did to an existing table.
 */
import { describe, expect, it } from 'vitest';
import { diffStates } from '../../src/checks/state-diff';
import type { TableState } from '../../src/checks/table-state';

const users = (over: Partial<TableState> = {}): TableState => ({
  oid: 16400,
  name: 'portal_users',
  filenode: 16400,
  columns: [
    { num: 1, name: 'id', notnull: true, type: 'uuid', default: 'gen_random_uuid()' },
    { num: 2, name: 'invited_by', notnull: false, type: 'uuid', default: null },
  ],
  constraints: [],
  indexes: ['portal_users_pkey'],
  locks: [],
  ...over,
});
const notNull = users().columns.map((c) => ({ ...c, notnull: true }));

describe('diffStates', () => {
  it('a NOT NULL proved by a CHECK, in the message spelling of PostgreSQL 15 ("table.column")', () => {
    const notice = 'existing constraints on column "portal_users.invited_by" are sufficient to prove that it does not contain nulls';
    const changes = diffStates([users()], [users({ columns: notNull, locks: ['AccessExclusiveLock'] })], [notice], true);
    expect(changes.notNullSet).toEqual([{ table: 'portal_users', column: 'invited_by', proved: true }]);
  });

  it('a NOT NULL proved, in the spelling with each name quoted ("table"."column")', () => {
    const notice = 'existing constraints on column "portal_users"."invited_by" are sufficient to prove that it does not contain nulls';
    expect(diffStates([users()], [users({ columns: notNull })], [notice], true).notNullSet[0]!.proved).toBe(true);
  });

  it('a NOT NULL with no such message was checked by a scan', () => {
    expect(diffStates([users()], [users({ columns: notNull })], ['verifying table "portal_users"'], true)).toMatchObject({
      notNullSet: [{ table: 'portal_users', column: 'invited_by', proved: false }],
      verified: ['portal_users'],
    });
  });

  it('reports the locks the statement added, and the strongest one its transaction holds', () => {
    const before = users({ locks: ['AccessShareLock', 'AccessExclusiveLock'] });
    const after = users({ locks: ['AccessShareLock', 'AccessExclusiveLock', 'ShareUpdateExclusiveLock'] });
    const changes = diffStates([before], [after], [], true);
    expect([changes.locks, changes.held]).toEqual([[], [{ table: 'portal_users', mode: 'AccessExclusiveLock' }]]);
  });

  it('a new relfilenode is a rewrite; a column added with a default is named as its cause', () => {
    const columns = [...users().columns, { num: 3, name: 'legacy_number', notnull: true, type: 'bigint', default: "nextval('portal_users_legacy_number_seq'::regclass)" }];
    const changes = diffStates([users()], [users({ filenode: 16500, columns })], [], false);
    expect([changes.rewritten, changes.rewriteCauses, changes.locks]).toEqual([
      ['portal_users'],
      [{ table: 'portal_users', kind: 'volatile default', column: 'legacy_number', default: "nextval('portal_users_legacy_number_seq'::regclass)" }],
      null,
    ]);
  });

  it('an index is known by its oid: built when new, rebuilt when its file is (REINDEX), not when another is renamed to its name', () => {
    const built = (before: string[], after: string[]) => diffStates([users({ indexFiles: before })], [users({ indexFiles: after })], [], true).indexesBuilt;
    // A column swap's contract: the old column's index goes, the new column's (built CONCURRENTLY earlier) takes its name.
    expect(built(['100:100:ix_score', '200:200:konstruct_new_ix_score'], ['200:200:ix_score'])).toEqual([]);
    expect(built(['100:100:ix_score'], ['100:300:ix_score'])).toEqual([{ table: 'portal_users', index: 'ix_score' }]);
    expect(built(['100:100:ix_score'], ['100:100:ix_score', '400:400:ix_name'])).toEqual([{ table: 'portal_users', index: 'ix_name' }]);
  });

  it('a dropped table, a renamed column and a dropped column', () => {
    const renamed = users({ columns: [{ ...users().columns[0]!, name: 'user_id' }] });
    expect(diffStates([users(), users({ oid: 16401, name: 'tenants' })], [renamed], [], true).removed).toEqual([
      { table: 'portal_users', column: 'id', renamedTo: 'user_id' },
      { table: 'portal_users', column: 'invited_by' },
      { table: 'tenants' },
    ]);
  });
});
