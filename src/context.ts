/**
 * A command's connection to its database: resolved from flags, environment,
 * .env or the embedded default, checked reachable, and always closed.
 */
import type { Knex } from 'knex';
import { resolveDatabase, type UrlSource } from './config/database-url';
import { createKnex, DEFAULT_CONNECT_TIMEOUT_MS } from './db/connect';
import { defaultDataDir, startEmbeddedServer } from './db/embedded-server';
import { passwordOf } from './db/redact';
import { connectWithin } from './db/wait-for-database';
import { DEFAULT_MIGRATIONS_DIR } from './history/local-migrations';

export interface ContextOptions {
  url?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  migrationsDir?: string;
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

  let url = resolved.url;
  let stopServer = async () => {};
  if (resolved.source === 'embedded') {
    const dataDir = defaultDataDir(options.cwd, env);
    log(`DATABASE_URL is not set: using the embedded PostgreSQL in ${dataDir}`);
    const server = await startEmbeddedServer(dataDir);
    url = server.url;
    stopServer = server.stop;
  }

  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const knex = createKnex(url, connectTimeoutMs);
  const close = async () => {
    await knex.destroy();
    await stopServer();
  };
  let waitedMs: number;
  try {
    waitedMs = await connectWithin(knex, { waitSeconds: options.waitSeconds ?? 0, connectTimeoutMs, log });
  } catch (error) {
    await close();
    throw error;
  }
  return {
    knex,
    migrationsDir: options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR,
    source: resolved.source,
    secrets: [passwordOf(url), env.PGPASSWORD].filter((s): s is string => Boolean(s)),
    log,
    waitedMs,
    close,
  };
}
