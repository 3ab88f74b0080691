/**
 * The docs say what the CLI does (#24, item 6): every command, state and exit
 * code in docs/cli-output.md and the README; the commands that take --json; and
 * the exit-5 hint production-safety.md quotes, against one the CLI prints.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program';
import { MIGRATION_STATES } from '../../src/commands/status';
import { ExitCode } from '../../src/exit-codes';
import { PART_WAY_STATES } from '../../src/phased/part-way-state';
import { runCli } from '../support/cli';
import { REPO_ROOT } from '../support/spec-files';
import { sqlMigration, tempMigrations, type TempMigrations } from '../support/temp-migrations';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const program = buildProgram();
const commands = program.commands.map((c) => c.name());

/** The first cell of each row of the markdown table under `heading` (a line of the document). */
function firstColumn(markdown: string, heading: string): string[] {
  const from = markdown.indexOf(`\n${heading}\n`);
  expect(from, heading).toBeGreaterThan(-1);
  const rows = markdown.slice(from).split('\n').slice(2);
  const table = rows.slice(rows.findIndex((l) => l.startsWith('|'))).filter((l, i, all) => all.slice(0, i + 1).every((r) => r.startsWith('|')));
  // A cell may hold an escaped pipe (`--from-alembic \| --to`).
  return table.slice(2).map((row) => row.split(/(?<!\\)\|/)[1]!.trim());
}

/** `a`, `b` -> [a, b]: the words in backticks of a text. */
const ticked = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

describe('docs/cli-output.md and the README list what the CLI has', () => {
  const cliOutput = read('docs/cli-output.md');
  const readme = read('README.md');

  it('every command has a row in the results table of cli-output.md, and in the README', () => {
    const commandOf = (cell: string) => ticked(cell)[0]!.split(' ')[0];
    const documented = firstColumn(cliOutput, '## Results of each command').map(commandOf);
    expect(new Set(documented)).toEqual(new Set(commands));
    const inReadme = firstColumn(readme, '## Commands').map(commandOf);
    expect(new Set(inReadme)).toEqual(new Set(commands));
  });

  it('every state of status, in the order the code has them', () => {
    const row = cliOutput.split('\n').find((l) => l.startsWith('| `status` |'))!;
    const sentence = row.slice(row.indexOf('`state` is'), row.indexOf(' (applied in the database'));
    expect(ticked(sentence).slice(1)).toEqual([...MIGRATION_STATES]);
    expect(firstColumn(read('docs/online-migrations.md'), '### Output').flatMap(ticked)).toEqual([...PART_WAY_STATES]);
  });

  it('--json: every command but the ones the README and cli-output.md name', () => {
    const withoutJson = program.commands.filter((c) => !c.options.some((o) => o.long === '--json')).map((c) => c.name());
    expect(withoutJson).toEqual(['db']);
    expect(readme).toContain('`--json` on every command but `db`.');
    expect(cliOutput).toContain('Every command but `db` (');
  });

  it('every exit code, in both tables', () => {
    const codes = Object.values(ExitCode).filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
    const codesOf = (markdown: string) => firstColumn(markdown, '## Exit codes').map(Number);
    expect(codesOf(cliOutput)).toEqual(codes);
    expect(codesOf(readme)).toEqual(codes);
  });
});

describe('new --json, as the README now promises', () => {
  it('prints one document for a file created, and for a refusal', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-new-json-'));
    try {
      const created = await runCli(['new', 'add_widgets', '--dir', dir, '--json']);
      expect(JSON.parse(created.stdout)).toEqual({
        command: 'new', ok: true, exitCode: 0, error: null, result: { name: '001_add_widgets', file: path.join(dir, '001_add_widgets.ts') },
      });
      expect(created.stderr).toMatch(/^Created /);
      const refused = await runCli(['new', 'add_widgets', '--dir', dir, '--json']);
      expect(refused.code).toBe(2);
      expect(JSON.parse(refused.stdout)).toMatchObject({ command: 'new', ok: false, exitCode: 2, result: null, error: { type: 'ConfigError' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the exit-5 hint of production-safety.md', () => {
  let db: TestDatabase;
  let folder: TempMigrations;
  beforeAll(async () => {
    db = await createTestDatabase('docs_hint');
    folder = tempMigrations({ '001_widgets': sqlMigration('CREATE TABLE widgets (id int)', 'DROP TABLE widgets') });
  });
  afterAll(async () => {
    await db?.drop();
    folder?.remove();
  });

  it('is the one the CLI prints when a busy table outlasts --lock-budget (the blocking session aside)', async () => {
    const env = { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: folder.dir };
    expect((await runCli(['up'], { env })).code).toBe(0);
    folder.write('002_busy', sqlMigration('ALTER TABLE widgets ADD c int', 'ALTER TABLE widgets DROP c'));
    const reader = await db.knex.transaction();
    await reader.raw('SELECT * FROM widgets');
    const run = await runCli(['up', '--lock-timeout', '0.5', '--lock-budget', '1'], { env }).finally(() => reader.rollback());
    expect(run.code, run.stderr).toBe(5);
    const hintOf = (text: string) => (text.split('\n').find((l) => l.startsWith('  It was blocked by')) ?? text).replace(/pid \d+ \([^)]*\)/, 'pid <pid> (<session>)');
    const documented = read('docs/production-safety.md').split('```').find((block) => block.includes('could not get AccessExclusiveLock'))!;
    expect(hintOf(documented)).toBe(hintOf(run.stderr));
  });
});
