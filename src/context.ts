/**
 * A command's connection to its database: resolved from flags, environment,
 * .env or the embedded default, checked reachable, and always closed.
 */
import path from 'node:path';
import type { Knex } from 'knex';
import { resolveDatabase, type UrlSource } from './config/database-url';
import { resolveSchema } from './config/schema-name';
import { connectKnex } from './db/connect';
import { defaultDataDir, loadEmbeddedPostgres, startEmbeddedServer } from './db/embedded-server';
import { assertSessionKept } from './db/pooler';
import { passwordOf } from './db/redact';
import { connectionSettings } from './db/ssl-mode';
import { connectWithin } from './db/wait-for-database';
import { ConfigError } from './errors';
import { DEFAULT_MIGRATIONS_DIR } from './history/local-migrations';

export interface ContextOptions {
  url?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  migrationsDir?: string;
  /** Migrate this schema instead of `public` (default: KONSTRUCT_SCHEMA). */
  schema?: string;
  /** Progress notes meant for people (stderr in the CLI). */
  log?: (line: string) => void;
  /** Keep trying this many seconds while the server does not accept connections yet (default 0: fail at once). */
  waitSeconds?: number;
  /** Give up one connection attempt after this long (default 10 s). */
  connectTimeoutMs?: number;
}

export interface MigrationContext {
  knex: Knex;
  migrationsDir: string;
  source: UrlSource;
  /** The schema given with --schema / KONSTRUCT_SCHEMA; undefined: the default search_path. */
  schema?: string;
  /** Secrets that must never be printed (the connection password). */
  secrets: string[];
  log: (line: string) => void;
  /** How long opening it waited for the server (see waitSeconds). */
  waitedMs: number;
  close(): Promise<void>;
}

export async function openContext(options: ContextOptions = {}): Promise<MigrationContext> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const resolved = resolveDatabase({ flagUrl: options.url, env, cwd: options.cwd });

  const schema = resolveSchema({ flagSchema: options.schema, env, cwd: options.cwd });
  // Read before an embedded server starts: a bad sslmode or certificate path is a usage error.
  let settings = connectionSettings(resolved.url, env);

  let url = resolved.url;
  let stopServer = async () => {};
  if (resolved.source === 'embedded') {
    const dataDir = defaultDataDir(options.cwd, env);
    await loadEmbeddedPostgres(); // a missing optional package is reported before the server is announced
    log(`DATABASE_URL is not set: using the embedded PostgreSQL in ${dataDir}`);
    const server = await startEmbeddedServer(dataDir);
    url = server.url;
    settings = connectionSettings(url, env);
    stopServer = server.stop;
  }

  let knex: Knex;
  let waitedMs: number;
  try {
    ({ connected: knex, waitedMs } = await connectWithin(
      () => connectKnex(settings, { schema, env, connectTimeoutMs: options.connectTimeoutMs }),
      { waitSeconds: options.waitSeconds ?? 0, log },
    ));
  } catch (error) {
    await stopServer();
    throw error;
  }
  const close = async () => {
    await knex.destroy();
    await stopServer();
  };
  try {
    if (schema) {
      // search_path is set once per connection, for the session: a transaction pooler would not keep it.
      await assertSessionKept(knex, `--schema ${schema} (KONSTRUCT_SCHEMA)`);
      await assertSchemaExists(knex, schema);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    knex,
    migrationsDir: options.migrationsDir ?? migrationsDirFromEnv(env, options.cwd) ?? DEFAULT_MIGRATIONS_DIR,
    source: resolved.source,
    schema,
    secrets: [passwordOf(url), env.PGPASSWORD].filter((s): s is string => Boolean(s)),
    log,
    waitedMs,
    close,
  };
}

/**
 * KONSTRUCT_MIGRATIONS_DIR (relative to the working directory) replaces the
 * migrations shipped beside the code, e.g. to run a copy of them in tests.
 */
export function migrationsDirFromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  const dir = env.KONSTRUCT_MIGRATIONS_DIR?.trim();
  return dir ? path.resolve(cwd, dir) : undefined;
}

async function assertSchemaExists(knex: Knex, schema: string): Promise<void> {
  const found = await knex('pg_catalog.pg_namespace').where({ nspname: schema }).first('oid');
  if (!found) {
    throw new ConfigError(
      `schema "${schema}" does not exist in this database.`,
      `Create it first: CREATE SCHEMA "${schema}"; GRANT USAGE ON SCHEMA "${schema}" TO konstruct_app;`,
    );
  }
}
