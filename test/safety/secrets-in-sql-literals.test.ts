/**
 * A migration that writes a secret into its SQL makes every statement printer
 * carry it in PostgreSQL's spellings: doubled quotes, E'' escapes (backslash,
 * octal), U&'' escapes, dollar quoting. The database password (with a ' and a \),
 * INVITE_SECRET from the environment and SMTP_PASSWORD from ./.env are hidden in
 * each of them, in --dry-run, --dry-run --json, --verbose and --json, and in
 * PostgreSQL's error detail, which quotes a piece of the value (`Token "pw"`).
 * Each run is checked to print the statement (with *** in it), so the test
 * fails when the redaction does.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli';
import { createLoginRole, type LoginRole } from '../support/login-role';
import { adminUrl, createTestDatabase, type TestDatabase } from '../support/test-database';
import { tempMigrations, type TempMigrations } from '../support/temp-migrations';

const hex = () => randomBytes(6).toString('hex');
const INVITE_SECRET = `invite'Secret\\${hex()}${hex()}${hex()}`;
const SMTP_PASSWORD = `smtp$Pass'${hex()}`;

/** The literal spellings a migration may use, each with what it prints as once redacted. */
const spellings: Array<[name: string, spell: (secret: string) => string, redacted: string]> = [
  ['quoted', (s) => `'${s.replace(/'/g, "''")}'`, "'***'"],
  ['escaped', (s) => `E'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`, "E'***'"],
  ['octal', (s) => `E'${[...Buffer.from(s)].map((b) => `\\${b.toString(8)}`).join('')}'`, "E'***'"],
  ['hex', (s) => `E'${[...Buffer.from(s)].map((b) => `\\x${b.toString(16)}`).join('')}'`, "E'***'"],
  ['unicode', (s) => `U&'${[...s].map((c) => `\\${c.codePointAt(0)!.toString(16).padStart(4, '0')}`).join('')}'`, "U&'***'"],
  ['dollar', (s) => `$q$${s}$q$`, '$q$***$q$'],
];
const selectEvery = (secret: string) => `select ${spellings.map(([name, spell]) => `${spell(secret)} as ${name}`).join(', ')}`;
const selectEveryRedacted = `select ${spellings.map(([name, , redacted]) => `${redacted} as ${name}`).join(', ')}`;

/** A migration running these statements, in this order. */
const migrationRunning = (statements: string[]) => `exports.up = async (knex) => {
  for (const sql of ${JSON.stringify(statements)}) await knex.raw(sql);
};
exports.down = async () => {};`;

let db: TestDatabase;
let role: LoginRole;
let succeeding: TempMigrations;
let failing: TempMigrations;
let secrets: string[];

beforeAll(async () => {
  db = await createTestDatabase('sqlsecrets');
  role = await createLoginRole(db.knex, db.name, { password: `pw'Quote-S3cr3t\\${hex()}` });
  secrets = [role.password, INVITE_SECRET, SMTP_PASSWORD];
  succeeding = tempMigrations({ '001_writes_secrets': migrationRunning(secrets.map(selectEvery)) });
  // PostgreSQL's detail quotes the first word of the value: Token "pw" is invalid.
  failing = tempMigrations({ '001_casts_password': migrationRunning([`select ${spellings[0]![1](role.password)}::json as leaked`]) });
  for (const folder of [succeeding, failing]) writeFileSync(path.join(folder.dir, '.env'), `SMTP_PASSWORD="${SMTP_PASSWORD}"\n`);
});
afterAll(async () => {
  succeeding?.remove();
  failing?.remove();
  await db?.drop();
  const admin = knexFactory({ client: 'pg', connection: adminUrl() });
  await role?.drop(admin);
  await admin.destroy();
});

function run(folder: TempMigrations, args: string[]): Promise<CliResult> {
  const env = { DATABASE_URL: role.urlFor(db.url), KONSTRUCT_MIGRATIONS_DIR: folder.dir, INVITE_SECRET };
  return runCli(['up', ...args], { env, cwd: folder.dir });
}

/** Every way a secret could be printed: each literal spelling's inside, as is and JSON-escaped, and the whole secret. */
function expectNoSecretIn(result: CliResult): void {
  const printed = result.stdout + result.stderr;
  for (const secret of secrets) {
    for (const [name, spell] of spellings) {
      const inside = spell(secret).replace(/^(?:E|U&)?'|'$|^\$q\$|\$q\$$/g, '');
      expect(printed, `${name} spelling`).not.toContain(inside);
      expect(printed, `${name} spelling, JSON-escaped`).not.toContain(JSON.stringify(inside).slice(1, -1));
    }
    // The part before the first ' is the piece most likely to be printed alone.
    expect(printed).not.toContain(secret.slice(0, secret.indexOf("'")) + "'");
  }
}

describe('secrets written as SQL literals by a migration that succeeds', () => {
  it('--dry-run prints each statement with *** for every spelling', async () => {
    const result = await run(succeeding, ['--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`  1. ${selectEveryRedacted}\n  2. ${selectEveryRedacted}\n  3. ${selectEveryRedacted}\n`);
    expectNoSecretIn(result);
  });

  it('--dry-run --json gives each statement with *** for every spelling', async () => {
    const result = await run(succeeding, ['--dry-run', '--json']);
    expect(result.code).toBe(0);
    const [migration] = JSON.parse(result.stdout).result.migrations;
    expect(migration.statements.map((s: { sql: string }) => s.sql)).toEqual([selectEveryRedacted, selectEveryRedacted, selectEveryRedacted]);
    expectNoSecretIn(result);
  });
});

describe('a password written as an SQL literal in a statement that fails', () => {
  const detail = 'Token "***" is invalid.';

  it('--verbose prints the statement and the detail with *** for the password and for its first word', async () => {
    const result = await run(failing, ['--verbose']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`  detail: ${detail}\n`);
    expect(result.stderr).toContain(`  statement: select '***'::json as leaked\n`);
    expectNoSecretIn(result);
  });

  it('--json gives the statement, the message and the detail with ***', async () => {
    const result = await run(failing, ['--json']);
    expect(result.code).toBe(6);
    const { error } = JSON.parse(result.stdout);
    expect(error.statement).toBe("select '***'::json as leaked");
    expect(error.postgres.detail).toBe(detail);
    expect(error.message).toBe('migration 001_casts_password (up) failed and was rolled back: invalid input syntax for type json [SQLSTATE 22P02]');
    expectNoSecretIn(result);
  });

  it('--dry-run and --dry-run --json fail the same way, with ***', async () => {
    const [text, json] = await Promise.all([run(failing, ['--dry-run', '--verbose']), run(failing, ['--dry-run', '--json'])]);
    expect([text.code, json.code]).toEqual([6, 6]);
    expect(text.stderr).toContain(`  detail: ${detail}\n`);
    expect(text.stderr).toContain(`  statement: select '***'::json as leaked\n`);
    expect(JSON.parse(json.stdout).error).toMatchObject({ statement: "select '***'::json as leaked", postgres: { detail } });
    expectNoSecretIn(text);
    expectNoSecretIn(json);
  });
});
