/**
 * Configuration for the stock `knex` CLI, so it sees the same migrations,
 * history, database and schema as konstruct-migrate (same extension-less names,
 * same tables, same DATABASE_URL / PG* variables / sslmode / KONSTRUCT_SCHEMA).
 * knex loads this TypeScript file through a loader such as tsx:
 *   node --import tsx node_modules/knex/bin/cli.js migrate:status --knexfile knexfile.ts
 */
import type { Knex } from 'knex';
import { resolveDatabase } from './src/config/database-url';
import { resolveSchema } from './src/config/schema-name';
import { APPLICATION_NAME, connectKnex } from './src/db/connect';
import { connectionSettings } from './src/db/ssl-mode';
import { KonstructMigrationSource } from './src/history/local-migrations';

export default async function knexfile(): Promise<Knex.Config> {
  const database = resolveDatabase();
  if (database.source === 'embedded') {
    throw new Error('the knex CLI needs DATABASE_URL (or PGHOST/PGDATABASE/PGUSER): it cannot start the embedded PostgreSQL.');
  }
  // Connect once as konstruct-migrate does (sslmode=prefer may fall back to no TLS), then give knex what worked.
  const options = { schema: resolveSchema(), applicationName: `${APPLICATION_NAME} (knex cli)` };
  const probe = await connectKnex(connectionSettings(database.url), options);
  const { client, connection, searchPath } = probe.client.config as Knex.Config;
  await probe.destroy();
  return { client, connection, searchPath, migrations: { migrationSource: new KonstructMigrationSource() } };
}
