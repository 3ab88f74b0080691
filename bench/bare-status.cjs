/**
 * The floor `konstruct-migrate status` is measured against (bench/status-bench.ts):
 * node and pg reading knex_migrations and printing a line per migration, with
 * nothing else (no configuration, no checks, no migration files).
 */
const { Client } = require('pg');

(async () => {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const { rows } = await client.query('SELECT name, batch, migration_time FROM knex_migrations ORDER BY id');
  for (const row of rows) process.stdout.write(`${row.name}\t${row.batch}\t${row.migration_time.toISOString()}\n`);
  await client.end();
})().catch((error) => {
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
});
