/**
 * A test file's own database and in-process context over temporary migrations,
 * made before its tests (then `up` to `to`, if given) and removed after them.
 */
import { afterAll, beforeAll } from 'vitest';
import { up } from '../../src/commands/up';
import type { MigrationContext } from '../../src/context';
import { testContext } from './context';
import { tempMigrations, type TempMigrations } from './temp-migrations';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface TempMigrationsDatabase {
  db: TestDatabase;
  ctx: MigrationContext;
}

export function useTempMigrationsDatabase(name: string, files: Record<string, string>, to?: string): TempMigrationsDatabase {
  const it = {} as TempMigrationsDatabase;
  let migrations: TempMigrations | undefined;
  beforeAll(async () => {
    migrations = tempMigrations(files);
    it.db = await createTestDatabase(name);
    it.ctx = await testContext(it.db.url, migrations.dir);
    if (to) await up(it.ctx, { to });
  });
  afterAll(async () => {
    await it.ctx?.close();
    await it.db?.drop();
    migrations?.remove();
  });
  return it;
}
