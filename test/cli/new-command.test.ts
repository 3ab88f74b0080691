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
  // The template's `import type { Knex } from 'knex'` resolves like it does in the repository.
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
});
afterAll(async () => {
  await db?.drop();
  rmSync(project, { recursive: true, force: true });
});

/** The compiler options of tsconfig.json, applied to the project's migrations folder. */
function typeCheck(): void {
  const tsc = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc');
  const files = ['005_baseline.ts', '006_rbac_roles.ts', '007_add_widgets.ts'].map((f) => path.join('migrations', f));
  const options = ['--module', 'nodenext', '--target', 'es2022'];
  execFileSync(tsc, [...options, '--noEmit', '--strict', '--noUnusedLocals', '--skipLibCheck', '--types', 'node', ...files], { cwd: project, stdio: 'pipe' });
}

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
    typeCheck();

    const env = { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: 'migrations' };
    const up = await runCli(['up'], { cwd: project, env });
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/↑ 007_add_widgets \(\d+ ms\)/);
    expect(await db.knex.schema.hasTable('widgets')).toBe(true);

    const down = await runCli(['down'], { cwd: project, env });
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/↓ 007_add_widgets \(\d+ ms\)/);
    expect(await db.knex.schema.hasTable('widgets')).toBe(false);
  });

  it('refuses a colliding name with exit 2 and one line of why, and the `make` alias works the same', async () => {
    const run = await runCli(['make', 'rbac roles'], { cwd: project });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('error: a migration named rbac_roles exists already: 006_rbac_roles.\n  Choose a name that says what this change does.\n');
  });

  it('needs no database: it works with an unreachable DATABASE_URL', async () => {
    const run = await runCli(['new', 'offline change'], { cwd: project, env: { DATABASE_URL: 'postgres://x:y@127.0.0.1:1/none', CI: 'true' } });
    expect(run).toMatchObject({ code: 0, stdout: 'Created migrations/008_offline_change.ts\n' });
  });
});
