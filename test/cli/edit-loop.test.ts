/**
 * The everyday loop in the repository: `new` -> edit -> `status` / `up` / `down`
 * runs migrations/*.ts as written, with no `npm run build` in between. A
 * compiled copy (dist/migrations) runs only when the build's checksum manifest
 * proves it was compiled from the source as it is now.
 *
 * Each test works on a copy of the checkout (the built dist/, package.json and
 * the migration sources, node_modules linked), so the default migrations folder
 * is the copy's own migrations/ and the real one is never written to.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checksumOf } from '../../src/history/migration-checksums';
import { runCli } from '../support/cli';
import { databaseState } from '../support/database-state';
import { REPO_ROOT } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let checkout: string;

/** A checkout as `git clone` + `npm install` + `npm run build` leaves it; `without` drops packages from node_modules. */
function copyCheckout(options: { without?: string[] } = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-checkout-'));
  cpSync(path.join(REPO_ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  cpSync(path.join(REPO_ROOT, 'migrations'), path.join(dir, 'migrations'), { recursive: true });
  cpSync(path.join(REPO_ROOT, 'package.json'), path.join(dir, 'package.json'));
  const modules = path.join(REPO_ROOT, 'node_modules');
  if (!options.without) {
    symlinkSync(modules, path.join(dir, 'node_modules'), 'dir');
  } else {
    mkdirSync(path.join(dir, 'node_modules'));
    for (const entry of readdirSync(modules).filter((e) => !options.without!.includes(e))) {
      symlinkSync(path.join(modules, entry), path.join(dir, 'node_modules', entry));
    }
  }
  return dir;
}

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { cliPath: path.join(checkout, 'dist', 'src', 'cli', 'bin.js'), cwd: checkout, env: { DATABASE_URL: db.url, ...env } });

const WIDGETS = '007_add_widgets';
const source = (table: string) =>
  `import type { Knex } from 'knex';\n` +
  `export async function up(knex: Knex): Promise<void> {\n  await knex.schema.createTable('${table}', (t) => { t.increments('id'); });\n}\n` +
  `export async function down(knex: Knex): Promise<void> {\n  await knex.schema.dropTable('${table}');\n}\n`;
const writeSource = (table: string) => writeFileSync(path.join(checkout, 'migrations', `${WIDGETS}.ts`), source(table));

/** A compiled copy in dist/migrations creating `table`, recorded in the manifest as built from `builtFrom`. */
function writeCompiledCopy(table: string, builtFrom: string): void {
  const compiled = path.join(checkout, 'dist', 'migrations');
  writeFileSync(
    path.join(compiled, `${WIDGETS}.js`),
    `exports.up = async (knex) => { await knex.schema.createTable('${table}', (t) => { t.increments('id'); }); };\n` +
      `exports.down = async (knex) => { await knex.schema.dropTable('${table}'); };\n`,
  );
  const manifestFile = path.join(compiled, 'checksums.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, string>;
  writeFileSync(manifestFile, JSON.stringify({ ...manifest, [WIDGETS]: checksumOf(builtFrom) }));
}

beforeEach(async () => {
  db = await createTestDatabase('edit_loop');
});
afterEach(async () => {
  await db?.drop();
  rmSync(checkout, { recursive: true, force: true });
});

describe('in the repository', () => {
  it('new -> edit -> status / up / down runs the source as written, with no build', async () => {
    checkout = copyCheckout();
    const created = await cli(['new', 'add widgets']);
    expect(created).toMatchObject({ code: 0, stdout: `Created migrations/${WIDGETS}.ts\n` });
    expect(created.stderr).toBe('Next: write up() and down(), then `konstruct-migrate up` (no build needed).\n');
    writeSource('widgets');

    const pending = await cli(['status']);
    expect(pending.code, pending.stderr).toBe(0);
    expect(pending.stdout).toMatch(new RegExp(`\\n${WIDGETS}\\s+pending`));

    const up = await cli(['up']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(new RegExp(`↑ 006_rbac_roles .*\\n {2}↑ ${WIDGETS} \\(\\d+ ms\\)`));
    expect(await db.knex.schema.hasTable('widgets')).toBe(true);
    expect((await cli(['status'])).stdout).toMatch(new RegExp(`\\n${WIDGETS}\\s+applied`));
    expect(existsSync(path.join(checkout, 'dist', 'migrations', `${WIDGETS}.js`))).toBe(false);

    const down = await cli(['down']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(new RegExp(`↓ ${WIDGETS}`));
    expect(await db.knex.schema.hasTable('widgets')).toBe(false);

    // An edit after `down` is what the next `up` runs.
    writeSource('gadgets');
    expect((await cli(['up'])).code).toBe(0);
    expect(await db.knex.schema.hasTable('gadgets')).toBe(true);
    expect(await db.knex.schema.hasTable('widgets')).toBe(false);
  });

  it('a compiled copy built from an older version of the source is not run; the source is', async () => {
    checkout = copyCheckout();
    writeSource('widgets');
    writeCompiledCopy('stale_widgets', source('an older version'));
    const up = await cli(['up']);
    expect(up.code, up.stderr).toBe(0);
    expect(await db.knex.schema.hasTable('widgets')).toBe(true);
    expect(await db.knex.schema.hasTable('stale_widgets')).toBe(false);
  });

  it('a compiled copy the manifest proves built from the source as it is runs in its place (no TypeScript compiled)', async () => {
    checkout = copyCheckout();
    writeSource('widgets');
    // The copy creates another table than its source says, only so that the test can see which one ran.
    writeCompiledCopy('compiled_widgets', source('widgets'));
    expect((await cli(['up'])).code).toBe(0);
    expect(await db.knex.schema.hasTable('compiled_widgets')).toBe(true);
  });

  it('without tsx, a source with no identical compiled copy stops `up` before anything is applied (exit 2); status still works', async () => {
    checkout = copyCheckout({ without: ['tsx', '.bin'] });
    writeSource('widgets');
    const before = await databaseState(db.knex);
    const up = await cli(['up']);
    expect(up.code).toBe(2);
    expect(up.stdout).toBe('');
    expect(up.stderr).toBe(
      `error: ${WIDGETS}.ts has no up-to-date compiled copy, and tsx, which runs TypeScript migrations as written, is not installed.\n` +
        '  Run `npm run build` to compile the migrations, or `npm install` (with dev dependencies) to run them from source.\n',
    );
    expect(await databaseState(db.knex)).toEqual(before);

    const status = await cli(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/0 applied, 3 pending/);
    // The built migrations still run from their compiled copies.
    expect((await cli(['up', '--to', '006'])).code).toBe(0);
  });

  it('a source that does not compile stops `up` before anything is applied (exit 2), naming the file and the line', async () => {
    checkout = copyCheckout();
    const file = path.join(checkout, 'migrations', `${WIDGETS}.ts`);
    writeFileSync(file, source('widgets').replace("t.increments('id'); });", "t.increments('id'); "));
    const before = await databaseState(db.knex);
    const up = await cli(['up']);
    expect(up.code).toBe(2);
    expect(up.stderr).toMatch(new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} cannot be loaded: line 5: Expected "\\)" but found "export"\\n {2}Fix the migration, then run the command again\\.\\n$`));
    expect(await databaseState(db.knex)).toEqual(before);
  });

  it('KONSTRUCT_MIGRATIONS_DIR=dist/migrations, built before a source changed, is refused (exit 2) naming the migration', async () => {
    checkout = copyCheckout();
    writeSource('widgets');
    const run = await cli(['status'], { KONSTRUCT_MIGRATIONS_DIR: 'dist/migrations' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: .*dist\/migrations was not built from the sources in .*migrations as they are now \(007_add_widgets\)\.\n {2}Run `npm run build`/);
  });
});

describe('in a project of its own', () => {
  it('`new` names the folder `up` must be pointed at', async () => {
    checkout = mkdtempSync(path.join(os.tmpdir(), 'konstruct-project-'));
    mkdirSync(path.join(checkout, 'migrations'));
    const created = await runCli(['new', 'add widgets'], { cwd: checkout });
    expect(created.code).toBe(0);
    expect(created.stderr).toBe('Next: write up() and down(), then `KONSTRUCT_MIGRATIONS_DIR=migrations konstruct-migrate up` (no build needed).\n');
  });
});
