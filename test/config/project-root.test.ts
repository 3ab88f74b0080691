/**
 * Every command finds the project root from any folder inside it (#24, item 1):
 * that root's .env is read and its embedded data folder used; outside any
 * project, the embedded server is refused instead of started on an empty cluster.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config';
import { findProjectRoot } from '../../src/config/project-root';
import { runCli } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let scratch: string;
/** A project: package.json, migrations/ and a .env naming the test database; `deep` is a folder two levels inside it. */
let project: string;
let deep: string;
/** A folder in no project at all. */
let outside: string;

beforeAll(async () => {
  db = await createTestDatabase('projroot');
  scratch = mkdtempSync(path.join(os.tmpdir(), 'konstruct-root-'));
  project = path.join(scratch, 'project');
  deep = path.join(project, 'migrations', 'notes');
  outside = path.join(scratch, 'elsewhere');
  mkdirSync(deep, { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(project, 'package.json'), '{"name":"someone-s-project"}\n');
  writeFileSync(path.join(project, '.env'), `DATABASE_URL=${db.url}\n`);
});
afterAll(async () => {
  await db?.drop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('findProjectRoot', () => {
  it('is the nearest folder with package.json and migrations/, from the folder itself up', () => {
    expect(findProjectRoot(project)).toBe(project);
    expect(findProjectRoot(deep)).toBe(project);
    expect(findProjectRoot(outside)).toBeUndefined();
  });

  it('needs both: package.json alone does not make a project', () => {
    const onlyPackage = path.join(scratch, 'only-package');
    mkdirSync(onlyPackage);
    writeFileSync(path.join(onlyPackage, 'package.json'), '{}\n');
    expect(findProjectRoot(onlyPackage)).toBeUndefined();
  });
});

describe('loadConfig from a subfolder', () => {
  it("reads the root's .env", () => {
    const config = loadConfig({ env: {}, cwd: deep });
    expect(config.connection).toMatchObject({ source: 'dotenv', url: db.url });
    expect(config.projectRoot).toBe(project);
  });

  it('puts the embedded data folder at the root, KONSTRUCT_PGDATA relative to it', () => {
    const withoutEnv = path.join(scratch, 'no-env-project');
    mkdirSync(path.join(withoutEnv, 'migrations', 'sub'), { recursive: true });
    writeFileSync(path.join(withoutEnv, 'package.json'), '{}\n');
    const sub = path.join(withoutEnv, 'migrations', 'sub');
    expect(loadConfig({ env: {}, cwd: sub }).connection).toEqual({
      source: 'embedded',
      label: 'the embedded PostgreSQL',
      embeddedDataDir: path.join(withoutEnv, '.konstruct', 'pgdata'),
    });
    expect(loadConfig({ env: { KONSTRUCT_PGDATA: 'data/pg' }, cwd: sub }).connection.embeddedDataDir).toBe(path.join(withoutEnv, 'data', 'pg'));
  });

  it('outside any project, marks the embedded server as refused unless KONSTRUCT_PGDATA names its folder', () => {
    expect(loadConfig({ env: {}, cwd: outside }).connection.embeddedOutsideProject).toBe(outside);
    expect(loadConfig({ env: { KONSTRUCT_PGDATA: 'pg' }, cwd: outside }).connection.embeddedOutsideProject).toBeUndefined();
  });
});

describe('the CLI from a subfolder, and outside any project', () => {
  it('status from two folders down uses the database named in the root .env', async () => {
    const run = await runCli(['status', '--json'], { cwd: deep, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/embedded/);
    expect(JSON.parse(run.stdout).result).toMatchObject({ applied: 0, pending: 2 });
    expect(existsSync(path.join(deep, '.konstruct'))).toBe(false);
  });

  it('refuses to start an empty embedded server outside any project: exit 2, one line and what to do, no folder made', async () => {
    const run = await runCli(['status'], { cwd: outside, timeoutMs: 60_000 });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `error: no project found in ${outside} or above it (a folder with package.json and migrations/), and no database is configured: refusing to start an empty embedded PostgreSQL here.\n` +
        '  Run the command inside the project, set DATABASE_URL (or --url), or set KONSTRUCT_PGDATA to the data folder the embedded server should use. Nothing was done.\n',
    );
    expect(existsSync(path.join(outside, '.konstruct'))).toBe(false);
  });
});
