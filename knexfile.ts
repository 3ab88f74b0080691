/**
 * Configuration for the stock `knex` CLI, so it sees the same migrations,
 * history, database and schema as konstruct-migrate: it reads the same
 * configuration (src/config/config.ts: DATABASE_URL, .env, PG* variables,
 * sslmode, KONSTRUCT_SCHEMA, KONSTRUCT_MIGRATIONS_DIR).
 * knex loads this TypeScript file through a loader such as tsx:
 *   node --import tsx node_modules/knex/bin/cli.js migrate:status --knexfile knexfile.ts
 */
import type { Knex } from 'knex';
import { loadConfig } from './src/config/config';
import { APPLICATION_NAME, connectKnex } from './src/db/connect';
import { connectionSettings } from './src/db/ssl-mode';
import { KonstructMigrationSource } from './src/engine/knex-migration-source';

export default async function knexfile(): Promise<Knex.Config> {
  const config = loadConfig();
  if (config.connection.source === 'embedded') {
    throw new Error('the knex CLI needs DATABASE_URL (or PGHOST/PGDATABASE/PGUSER): it cannot start the embedded PostgreSQL.');
  }
  // Connect once as konstruct-migrate does (sslmode=prefer may fall back to no TLS), then give knex what worked.
  const options = { schema: config.schema, applicationName: `${APPLICATION_NAME} (knex cli)`, connectTimeoutMs: config.timeouts.connectTimeoutMs };
  const probe = await connectKnex(connectionSettings(config), options);
  const { client, connection, searchPath } = probe.client.config as Knex.Config;
  await probe.destroy();
  return { client, connection, searchPath, migrations: { migrationSource: new KonstructMigrationSource(config.migrationsDir) } };
}
