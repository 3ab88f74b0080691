/** The schema specification files (spec/), with the owner adapted to the test server's user. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const SHARED_SEED_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'seed');

export type SpecCatalog = 'target-catalog-after-006.sql' | 'catalog-after-005.sql';

/** The target was dumped from a database owned by `postgres`; a TEST_DATABASE_URL may log in as another user. */
export async function expectedCatalog(knex: Knex, file: SpecCatalog): Promise<string> {
  const text = readFileSync(path.join(REPO_ROOT, 'spec', file), 'utf8');
  const { rows } = await knex.raw('select current_user as "user"');
  return text.replace(/OWNER TO postgres;/g, `OWNER TO ${rows[0].user};`);
}
