/**
 * The first `npx konstruct-migrate` in a clone. Asked for a bin that the
 * folder's own package.json declares, npx installs the folder into its cache (a
 * link) and runs its `prepare` script, as for any directory dependency. prepare
 * builds only when the build's inputs changed since the last build
 * (scripts/build-if-changed.cjs), so right after `npm install` (which built)
 * npx does not build again. On a copy of the checkout, with an npm cache of its own.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanEnv } from '../support/cli';
import { REPO_ROOT } from '../support/spec-files';

const run = promisify(execFile);
let workdir: string;
let clone: string;
let npmCache: string;
const marker = () => path.join(clone, 'dist', 'left-by-the-test');

beforeAll(() => {
  workdir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-first-npx-'));
  clone = path.join(workdir, 'clone');
  for (const entry of ['src', 'migrations', 'bench', 'scripts', path.join('test', 'support'), path.join('test', 'checks', 'corpus'), 'schema', 'knexfile.ts', 'tsconfig.json', 'package.json', 'package-lock.json', 'dist']) {
    cpSync(path.join(REPO_ROOT, entry), path.join(clone, entry), { recursive: true });
  }
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
});
afterAll(() => {
  rmSync(workdir, { recursive: true, force: true });
});

/** `npx konstruct-migrate --help` as a user types it, with a fresh npx cache (npm_* of a surrounding `npm test` left out). */
async function firstNpxHelp(): Promise<string> {
  npmCache = mkdtempSync(path.join(workdir, 'npm-cache-'));
  const env = Object.fromEntries(Object.entries(cleanEnv({ npm_config_cache: npmCache })).filter(([k]) => !/^npm_(?!config_cache$)/i.test(k)));
  const { stdout } = await run('npx', ['--offline', 'konstruct-migrate', '--help'], { cwd: clone, env, timeout: 120_000 });
  return stdout;
}

/** npx took the path that prepares: the clone is linked into its cache. */
function linkedIntoNpxCache(): boolean {
  const installs = readdirSync(path.join(npmCache, '_npx'));
  return installs.some((hash) => lstatSync(path.join(npmCache, '_npx', hash, 'node_modules', 'konstruct-migrate')).isSymbolicLink());
}

it('does not build again when nothing changed since the last build', async () => {
  writeFileSync(marker(), 'a full build removes dist/ and with it this file');
  expect(await firstNpxHelp()).toMatch(/^Usage: konstruct-migrate /);
  expect(linkedIntoNpxCache()).toBe(true);
  expect(existsSync(marker())).toBe(true);
}, 180_000);

it('builds when a source changed since the last build, then runs the new build', async () => {
  writeFileSync(marker(), 'a full build removes dist/ and with it this file');
  appendFileSync(path.join(clone, 'src', 'cli', 'main.ts'), '\n// changed after the build\n');
  expect(await firstNpxHelp()).toMatch(/^Usage: konstruct-migrate /);
  expect(linkedIntoNpxCache()).toBe(true);
  expect(existsSync(marker())).toBe(false);
}, 300_000);
