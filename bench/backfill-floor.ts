/**
 * The backfill's floor (issue #22): the work every backfill does, one pass over
 * portal_users setting the admins' role, as one unbatched UPDATE with nothing
 * else running: no application load, no triggers, no batches, no migration
 * around it. On a fresh copy of the 005 template, `role` is added as 006's
 * expand adds it (catalog-only, with its default), untimed; then only the
 * UPDATE is timed, over a connection opened beforehand. Each contender's
 * backfill time is reported against it ("x the floor").
 */
import { connect, type DatabaseFactory } from './databases';
import type { Templates } from './templates';

export const FLOOR_UPDATE = `UPDATE portal_users SET role = 'platform_admin' WHERE is_admin`;

export async function measureBackfillFloor(factory: DatabaseFactory, templates: Templates): Promise<number> {
  const database = await factory.create('floor', templates.at005);
  try {
    const client = await connect(factory.url(database));
    try {
      await client.query(`ALTER TABLE portal_users ADD COLUMN role text NOT NULL DEFAULT 'customer_admin'`);
      const started = performance.now();
      const { rowCount } = await client.query(FLOOR_UPDATE);
      const ms = performance.now() - started;
      if (rowCount !== templates.admins) throw new Error(`the floor's UPDATE set ${rowCount} rows; expected the ${templates.admins} admins`);
      return ms;
    } finally {
      await client.end();
    }
  } finally {
    await factory.drop(database);
  }
}
