/**
 * diffStates, without a server: what two snapshots around a statement and the
 * server's DEBUG1 messages say it did to an existing table.
 */
import { describe, expect, it } from 'vitest';
import { diffStates } from '../../src/checks/state-diff';
import type { TableState } from '../../src/checks/table-state';
import type { ObservedStatement } from '../../src/checks/observation';
import { indexBuild } from '../../src/checks/rules/index-build';

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

describe('an index written anew under ACCESS EXCLUSIVE on the index alone (found by review: ALTER INDEX ... SET TABLESPACE passed)', () => {
  it('is an index build whose lock is the index\'s, blocking reads and writes', () => {
    const before = users({ indexFiles: ['16410:16410:portal_users_pkey'] });
    const after = users({ indexFiles: ['16410:16999:portal_users_pkey'], locks: ['AccessShareLock'], indexLocks: ['AccessExclusiveLock'] });
    const changes = diffStates([before], [after], [], true);
    expect([changes.indexesBuilt, changes.indexLocked]).toEqual([
      [{ table: 'portal_users', index: 'portal_users_pkey' }],
      [{ table: 'portal_users', mode: 'AccessExclusiveLock' }],
    ]);
    const statement = { migration: '007', batched: false, sql: '', rewriteCauses: [], everyRow: [], filteredWrites: [], ...changes } as unknown as ObservedStatement;
    expect(indexBuild.find(statement)).toEqual([{
      table: 'portal_users', lock: 'AccessExclusiveLock on portal_users_pkey', blocks: 'reads and writes', why: 'index build',
      detail: 'portal_users_pkey was written anew while its transaction held AccessExclusiveLock on it: every query on portal_users plans with its indexes, and waits',
      safeWay: 'REINDEX INDEX CONCURRENTLY, or a new index built CONCURRENTLY where it should be and the old one dropped CONCURRENTLY',
    }]);
  });
});
