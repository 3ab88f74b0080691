/**
 * The whole workflow of a new migration in a project of its own: `konstruct-migrate
 * new`, fill in the template, check that it compiles under the project's strict
 * TypeScript settings, then `up` and `down` of the source as written.
 * (The repository's own loop: edit-loop.test.ts.)
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { REPO_ROOT } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let project: string;

beforeAll(async () => {
  db = await createTestDatabase('new_cli');
  project = mkdtempSync(path.join(os.tmpdir(), 'konstruct-project-'));
  mkdirSync(path.join(project, 'migrations'));
  for (const file of ['005_baseline.ts', '006_rbac_roles.ts']) {
    cpSync(path.join(REPO_ROOT, 'migrations', file), path.join(project, 'migrations', file));
  }
  // The templates' type imports (knex, and the phase API in src/) resolve like they do in the repository.
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
  symlinkSync(path.join(REPO_ROOT, 'src'), path.join(project, 'src'), 'dir');
});
afterAll(async () => {
  await db?.drop();
  rmSync(project, { recursive: true, force: true });
});

/** The compiler options of tsconfig.json, applied to the project's migrations folder: checked only, or compiled to dist/ as a package build would. */
function compile(added: string[], { emit }: { emit: boolean }): void {
  const tsc = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc');
  const files = ['005_baseline.ts', '006_rbac_roles.ts', ...added].map((f) => path.join('migrations', f));
  const output = emit ? ['--outDir', 'dist', '--rootDir', '.'] : ['--noEmit'];
  execFileSync(tsc, [...output, '--module', 'nodenext', '--target', 'es2022', '--strict', '--noUnusedLocals', '--skipLibCheck', '--types', 'node', ...files], { cwd: project, stdio: 'pipe' });
}
const typeCheck = (...added: string[]) => compile(added, { emit: false });
const build = (...added: string[]) => compile(added, { emit: true });

describe('konstruct-migrate new', () => {
  it('creates migrations/<next>_<name>.ts that compiles under strict settings and that up and down run as written', async () => {
    const created = await runCli(['new', 'Add widgets'], { cwd: project });
    expect(created).toMatchObject({ code: 0, stdout: 'Created migrations/007_add_widgets.ts\n' });
    expect(created.stderr).toMatch(/then `KONSTRUCT_MIGRATIONS_DIR=migrations konstruct-migrate up` \(no build needed\)/);

    const file = path.join(project, 'migrations', '007_add_widgets.ts');
    const filled = readFileSync(file, 'utf8')
      .replace(/(export async function up\(knex: Knex\): Promise<void> \{\n)/, "$1  await knex.schema.createTable('widgets', (t) => { t.increments('id'); });\n")
      .replace(/(export async function down\(knex: Knex\): Promise<void> \{\n)/, "$1  await knex.schema.dropTable('widgets');\n");
    writeFileSync(file, filled);
    typeCheck('007_add_widgets.ts');

    const env = { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: 'migrations' };
    const up = await runCli(['up'], { cwd: project, env });
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/↑ 007_add_widgets \((?:\d+ ms|\d+\.\d s)\)/); // ms below a second, else s: the machine sets which
    expect(await db.knex.schema.hasTable('widgets')).toBe(true);

    const down = await runCli(['down'], { cwd: project, env });
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/↓ 007_add_widgets \((?:\d+ ms|\d+\.\d s)\)/); // ms below a second, else s: the machine sets which
    expect(await db.knex.schema.hasTable('widgets')).toBe(false);
  });

  it('--phased writes a phased template that compiles, and runs as written: up --expand, complete, down', async () => {
    const created = await runCli(['new', 'split names', '--phased'], { cwd: project });
    expect(created).toMatchObject({ code: 0, stdout: 'Created migrations/008_split_names.ts\n' });
    expect(created.stderr).toMatch(/up --expand`, then `complete`/);
    expect(readFileSync(path.join(project, 'migrations', '008_split_names.ts'), 'utf8')).toMatch(/export const phases: PhasedStep\[\] = \[/);
    rmSync(path.join(project, 'dist'), { recursive: true, force: true });
    build('007_add_widgets.ts', '008_split_names.ts');
    // The compiled migration needs nothing from the engine at run time (its import is types only).
    expect(readFileSync(path.join(project, 'dist', 'migrations', '008_split_names.js'), 'utf8')).not.toMatch(/require\(/);

    // Run as written (no build), like every migration in a checkout.
    const env = { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: 'migrations' };
    const expand = await runCli(['up', '--expand'], { cwd: project, env });
    expect(expand.code, expand.stderr).toBe(0);
    expect(expand.stdout).toMatch(/· expand: add the new column[\s\S]*· backfill: fill the new column[\s\S]*008_split_names is expanded and held/);
    const completed = await runCli(['complete'], { cwd: project, env });
    expect(completed.stdout).toMatch(/· contract: drop the old column[\s\S]*Completed 008_split_names/);
    const down = await runCli(['down'], { cwd: project, env });
    expect(down.stdout).toMatch(/↓ 008_split_names/);
    expect((await runCli(['down'], { cwd: project, env })).code).toBe(0); // 007 too, for the tests below
  });

  it('refuses a colliding name with exit 2 and one line of why, and the `make` alias works the same', async () => {
    const run = await runCli(['make', 'rbac roles'], { cwd: project });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('error: a migration named rbac_roles exists already: 006_rbac_roles.\n  Choose a name that says what this change does.\n');
  });

  it('says to check --dir, not to pass it, when the folder given there is missing (found by review)', async () => {
    const run = await runCli(['new', 'x', '--dir', path.join(project, 'nope')], { cwd: project });
    expect([run.code, run.stderr]).toEqual([2, `error: there is no migrations folder at ${path.join(project, 'nope')}.\n  Check the folder given with --dir, or create it first.\n`]);
  });

  it('needs no database: it works with an unreachable DATABASE_URL', async () => {
    const run = await runCli(['new', 'offline change'], { cwd: project, env: { DATABASE_URL: 'postgres://x:y@127.0.0.1:1/none', CI: 'true' } });
    expect(run).toMatchObject({ code: 0, stdout: 'Created migrations/009_offline_change.ts\n' });
  });
});
