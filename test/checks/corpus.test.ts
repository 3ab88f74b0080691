/**
 * The corpus (corpus/cases.ts): each case runs as migration 007 after 005 and
 * 006 on a throwaway copy, with portal_users and friends at a million rows;
 * the rules that fire must be exactly the expected ones. PostgreSQL 15 here;
 * corpus-newest-major.test.ts runs the same on the newest major.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { listLocalMigrations } from '../../src/history/local-migrations';
import { SOURCE_MIGRATIONS_DIR } from '../support/context';
import { adminUrl } from '../support/test-database';
import { corpusVerdicts } from './corpus/run-corpus';
import { CORPUS } from './corpus/cases';

describe('check on the corpus (the test server: PostgreSQL 15)', () => {
  const verdicts = corpusVerdicts(() => adminUrl(), listLocalMigrations(SOURCE_MIGRATIONS_DIR));
  afterAll(() => verdicts.cleanUp());

  for (const c of CORPUS) {
    it(`${c.verdict}: ${c.name} -> ${c.rules.join(', ') || 'no finding'}`, async () => {
      expect(await verdicts.rulesFor(c)).toEqual(c.rules);
    });
  }
});
