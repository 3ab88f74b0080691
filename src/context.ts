/**
 * A command's connection to its database, opened from the run's configuration
 * (config/config.ts): checked reachable, and always closed.
 */
import type { Knex } from 'knex';
import { isKonstructConfig, loadConfig, type ConfigInput, type KonstructConfig } from './config/config';
import type { UrlSource } from './config/database-url';
import { connectKnex } from './db/connect';
import { openEmbeddedServer } from './open-embedded-server';
import { assertSessionKept } from './db/pooler';
import { passwordSpellingsOf } from './db/password-spellings';
import { connectionSettings } from './db/ssl-mode';
import { connectWithin } from './db/wait-for-database';
import { ConfigError } from './errors';

/** The inputs of a configuration (see ConfigInput), for callers that have not loaded one. */
export interface ContextOptions extends ConfigInput {
  /** Progress notes meant for people (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface MigrationContext {
  /** The configuration it was opened with. */
  config: KonstructConfig;
  knex: Knex;
  migrationsDir: string;
  source: UrlSource;
  /** The schema given with --schema / KONSTRUCT_SCHEMA; undefined: the default search_path. */
  schema?: string;
  /** Secrets that must never be printed (the connection passwords). */
  secrets: string[];
  log: (line: string) => void;
  /** How long opening it waited for the server (see --wait). */
  waitedMs: number;
  close(): Promise<void>;
}

/**
 * Opens the database a configuration names: `openContext(loadConfig({ url }))`.
 * Given the inputs instead (`openContext({ url })`), it loads the configuration itself.
 */
export async function openContext(from: KonstructConfig | ContextOptions = {}, hooks: { log?: (line: string) => void } = {}): Promise<MigrationContext> {
  const config = isKonstructConfig(from) ? from : loadConfig(from);
  const log = hooks.log ?? (isKonstructConfig(from) ? undefined : from.log) ?? (() => {});
  let settings = connectionSettings(config);
  const secrets = [...config.secrets];

  let stopServer = async () => {};
  if (config.connection.embeddedDataDir !== undefined) {
    const server = await openEmbeddedServer(config, log);
    // A local server without TLS.
    settings = connectionSettings({ connection: { ...config.connection, url: server.url }, tls: { mode: 'disable' } });
    secrets.push(...passwordSpellingsOf(server.url));
    stopServer = server.stop;
  }

  let knex: Knex;
  let waitedMs: number;
  try {
    ({ connected: knex, waitedMs } = await connectWithin(
      () => connectKnex(settings, { schema: config.schema, connectTimeoutMs: config.timeouts.connectTimeoutMs }),
      { waitSeconds: config.timeouts.waitSeconds, log },
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
    if (config.schema) {
      // search_path is set once per connection, for the session: a transaction pooler would not keep it.
      await assertSessionKept(knex, `--schema ${config.schema} (KONSTRUCT_SCHEMA)`);
      await assertSchemaExists(knex, config.schema);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    config,
    knex,
    migrationsDir: config.migrationsDir,
    source: config.connection.source,
    schema: config.schema,
    secrets,
    log,
    waitedMs,
    close,
  };
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
