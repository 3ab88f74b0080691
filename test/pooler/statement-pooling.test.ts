/**
 * PgBouncer in statement pooling mode allows no transaction, and every change
 * konstruct-migrate makes is one: a run says so in one line (exit 2) and changes
 * nothing. Skipped, saying why, when pgbouncer is not installed (failed under CI).
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { databaseState } from '../support/database-state';
import { skipWithoutPgBouncer, usePgBouncer } from '../support/pooled-databases';

const withoutPgBouncer = skipWithoutPgBouncer('statement');

describe.skipIf(withoutPgBouncer)('PgBouncer, statement pooling', () => {
  const pooled = usePgBouncer({ mode: 'statement', poolSize: 2 });

  it('up, down, complete, verify and baseline are refused with what happened and what to do (exit 2), and nothing is changed', async () => {
    const { db, url } = await pooled.database('stpool');
    const before = await databaseState(db.knex);
    for (const args of [['up'], ['down', '--all', '--yes'], ['complete'], ['verify'], ['baseline', '--to', '006']]) {
      const run = await runCli(args, { env: { DATABASE_URL: url } });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n')).toEqual([
        'error: konstruct-migrate cannot work through PgBouncer in statement pooling mode, which allows no transactions; nothing was changed',
        '  Use a direct DATABASE_URL to PostgreSQL (or a transaction- or session-mode pool).',
      ]);
    }
    expect(await databaseState(db.knex)).toEqual(before);
  });
});
