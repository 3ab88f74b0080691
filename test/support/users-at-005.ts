/** A fresh test database at 005 holding `rows` users, every 7th an admin, and a context over it. */
import { up } from '../../src/commands/up';
import type { MigrationContext } from '../../src/context';
import { testContext } from './context';
import { createTestDatabase, type TestDatabase } from './test-database';

export async function usersAt005(label: string, rows: number): Promise<{ db: TestDatabase; ctx: MigrationContext }> {
  const db = await createTestDatabase(label);
  const ctx = await testContext(db.url);
  await up(ctx, { to: '005' });
  await db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, is_admin)
    SELECT 'user' || i || '@x', 'h', 'U', i % 7 = 0 FROM generate_series(1, ${Number(rows)}) AS i`);
  return { db, ctx };
}
