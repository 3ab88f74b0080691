/** pgbench as the second client: its scripts, its per-transaction log read as request records, and its stderr. */
import { describe, expect, it } from 'vitest';
import { abortedBeforeStop } from '../../bench/app-load/pgbench-load';
import { pgbenchRecords } from '../../bench/app-load/pgbench-log';
import { PGBENCH_VARIABLES, pgbenchRate, pgbenchScripts } from '../../bench/app-load/pgbench-scripts';

describe('pgbench scripts', () => {
  it("send each version's reads and updates 7 to 2, at the Node load's rate of reads and updates", () => {
    expect(pgbenchScripts('old', 1000).map((s) => [s.name, s.weight])).toEqual([['old-read.sql', 7], ['old-update.sql', 2]]);
    expect(pgbenchRate(100)).toBe(90);
  });

  it('read any template user and update only rows of their own residue, with the column of their version; the new one once rolled out', () => {
    const [oldRead, oldUpdate] = pgbenchScripts('old', 1000);
    const [, newUpdate] = pgbenchScripts('new', 1000);
    expect(oldRead!.text).toBe(
      "\\set n random(1, 1000)\nSELECT id, email, name, is_admin FROM portal_users WHERE email = 'user' || :n || '@example.com';\n",
    );
    // 4, 104, ..., 904: ten rows; 5, 105, ..., 905 for the new version.
    expect(oldUpdate!.text).toBe(
      "\\set n 4 + 100 * random(0, 9)\nUPDATE portal_users SET is_admin = true, updated_at = now() WHERE email = 'user' || :n || '@example.com';\n",
    );
    expect(newUpdate!.text).toBe(
      [
        '\\if :rolled_out = 0',
        "SELECT count(*) AS rolled_out FROM pg_attribute WHERE attrelid = to_regclass('portal_users') AND attname = 'role' AND NOT attisdropped \\gset",
        '\\endif',
        '\\if :rolled_out = 1',
        '\\set n 5 + 100 * random(0, 9)',
        "UPDATE portal_users SET role = 'customer_operator', updated_at = now() WHERE email = 'user' || :n || '@example.com';",
        '\\endif',
        '',
      ].join('\n'),
    );
  });

  it("start the new version not rolled out, and the old one with nothing to wait for", () => {
    expect(PGBENCH_VARIABLES).toEqual({ old: [], new: ['rolled_out=0'] });
  });
});

describe("pgbench's per-transaction log", () => {
  it('counts latency from when each transaction was due: its time plus its schedule lag, ending at its logged end', () => {
    const log = ['3 17 2500 1 1765000000 250000 1500', '0 18 800 0 1765000000 300000 0', 'pgbench: a stray line', ''].join('\n');
    expect(pgbenchRecords(log, 'new', 10)).toEqual([
      { version: 'new', kind: 'update', dueAt: 1765000000250 + 10 - 4, ms: 4, error: null },
      { version: 'new', kind: 'read', dueAt: 1765000000300 + 10 - 0.8, ms: 0.8, error: null },
    ]);
  });
});

describe("pgbench's stderr", () => {
  it('counts clients that ended on an error of their own, not those the stop terminated', () => {
    expect(
      abortedBeforeStop([
        'pgbench: error: client 2 script 1 aborted in command 1 query 0: ERROR:  column "is_admin" does not exist',
        'pgbench: error: client 3 script 0 aborted in command 1 query 0: FATAL:  terminating connection due to administrator command',
        'pgbench: error: Run was aborted; the above results are incomplete.',
      ]),
    ).toBe(1);
  });
});
