/** A fresh test database with every migration applied, for tests of the application-facing code. */
import { up } from '../../src/commands/up';
import { testContext } from './context';
import { createTestDatabase, type TestDatabase } from './test-database';

export async function createMigratedDatabase(label: string): Promise<TestDatabase> {
  const db = await createTestDatabase(label);
  const ctx = await testContext(db.url);
  try {
    await up(ctx);
  } finally {
    await ctx.close();
  }
  return db;
}
