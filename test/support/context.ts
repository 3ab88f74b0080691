/** An in-process MigrationContext over a test database, running the TypeScript migrations. */
import path from 'node:path';
import { openContext, type MigrationContext } from '../../src/context';
import { REPO_ROOT } from './spec-files';

export const SOURCE_MIGRATIONS_DIR = path.join(REPO_ROOT, 'migrations');

export function testContext(url: string, migrationsDir = SOURCE_MIGRATIONS_DIR): Promise<MigrationContext> {
  return openContext({ url, migrationsDir, env: {} });
}
