/**
 * Configuration for the stock `knex` CLI, so it sees the same migrations and
 * history as konstruct-migrate (same extension-less names, same tables):
 *   DATABASE_URL=... npx tsx node_modules/knex/bin/cli.js migrate:status
 */
import type { Knex } from 'knex';
import { resolveDatabase } from './src/config/database-url';
import { APPLICATION_NAME } from './src/db/connect';
import { KonstructMigrationSource } from './src/history/local-migrations';

const { url } = resolveDatabase();

const config: Knex.Config = {
  client: 'pg',
  connection: { ...(url ? { connectionString: url } : {}), application_name: `${APPLICATION_NAME} (knex cli)` },
  migrations: { migrationSource: new KonstructMigrationSource() },
};

export default config;
