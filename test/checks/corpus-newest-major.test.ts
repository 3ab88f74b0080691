/** The corpus (corpus/cases.ts) on the newest PostgreSQL major: the same verdicts as on 15 (corpus.test.ts). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listLocalMigrations } from '../../src/history/local-migrations';
import { SOURCE_MIGRATIONS_DIR } from '../support/context';
import { startNewestMajorServer, type MajorServer } from '../support/newest-major-server';
import { corpusVerdicts } from './corpus/run-corpus';
import { CORPUS } from './corpus/cases';

let server: MajorServer;
beforeAll(async () => {
  server = await startNewestMajorServer();
});
afterAll(async () => server?.stop());

describe('check on the corpus (the newest major)', () => {
  const verdicts = corpusVerdicts(() => server.url, listLocalMigrations(SOURCE_MIGRATIONS_DIR));
  afterAll(() => verdicts.cleanUp());

  it('runs on PostgreSQL 18', () => {
    expect(server.version).toMatch(/^postgres \(PostgreSQL\) 18\./);
  });

  for (const c of CORPUS) {
    it(`${c.verdict}: ${c.name} -> ${c.rules.join(', ') || 'no finding'}`, async () => {
      expect(await verdicts.rulesFor(c)).toEqual(c.rules);
    });
  }
});
