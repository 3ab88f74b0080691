/**
 * What people read: the status table, steps with durations, colour only on a
 * terminal (and never with NO_COLOR or --no-color), a spinner only on a
 * terminal, --quiet, and --help with examples on every command.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program';
import { runCli } from '../support/cli';
import { REPO_ROOT } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { skipWithoutScript } from '../support/required-tool';

const ESC = '\u001b[';
let db: TestDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase('output');
  env = { DATABASE_URL: db.url };
});
afterAll(async () => {
  await db?.drop();
});

const withoutScript = skipWithoutScript();

/** The CLI's output on a pseudo-terminal (stdout and stderr are both a TTY). */
async function runOnTerminal(args: string[], extraEnv: Record<string, string>): Promise<string> {
  return (await runCli(args, { env: extraEnv, terminal: true })).stdout;
}

describe('status', () => {
  it('prints an aligned table (migration, state, applied at, batch) and a summary line, plain when piped', async () => {
    await runCli(['up', '--to', '005'], { env });
    const run = await runCli(['status'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain(ESC);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^MIGRATION\s+STATE\s+APPLIED AT\s+BATCH$/);
    expect(lines[1]).toMatch(/^005_baseline\s+applied\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\s+1$/);
    expect(lines[2]).toMatch(/^006_rbac_roles\s+pending\s+-\s+-$/);
    expect(lines.at(-1)).toBe('1 applied, 1 pending.');
    // Aligned: every column starts where its header does.
    for (const header of ['STATE', 'APPLIED AT']) {
      const at = lines[0]!.indexOf(header);
      expect(lines.slice(1, 3).map((l) => l[at - 1] === ' ' && l[at] !== ' ')).toEqual([true, true]);
    }
    expect(lines.slice(0, 3).map((l) => l.length)).toEqual([lines[0]!.length, lines[0]!.length, lines[0]!.length]);
  });

  it('uses colour when forced, and never with NO_COLOR or --no-color', async () => {
    const forced = await runCli(['status'], { env: { ...env, FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain(`${ESC}32mapplied`);
    const noColor = await runCli(['status'], { env: { ...env, FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(noColor.stdout).not.toContain(ESC);
    const flag = await runCli(['status', '--no-color'], { env: { ...env, FORCE_COLOR: '1' } });
    expect(flag.stdout).not.toContain(ESC);
    expect(flag.stdout).toBe(noColor.stdout);
  });

  it.skipIf(withoutScript)('uses colour on a terminal, except with NO_COLOR', async () => {
    expect(await runOnTerminal(['status'], env)).toContain(`${ESC}32mapplied`);
    expect(await runOnTerminal(['status'], { ...env, NO_COLOR: '1' })).not.toContain(ESC);
  });
});

describe('up and down', () => {
  let slowDir: string;
  beforeAll(() => {
    // The compiled migrations plus one that takes over a second.
    slowDir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-slow-'));
    cpSync(path.join(REPO_ROOT, 'dist', 'migrations'), slowDir, { recursive: true });
    const sleep = "exports.up = exports.down = async (knex) => { await knex.raw('select pg_sleep(1.5)'); };\n";
    writeFileSync(path.join(slowDir, '007_slow.js'), sleep);
  });
  afterAll(() => rmSync(slowDir, { recursive: true, force: true }));

  it('print each migration with its duration and a summary; no spinner or colour when piped', async () => {
    const run = await runCli(['up'], { env: { ...env, KONSTRUCT_MIGRATIONS_DIR: slowDir } });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^( {4}· .*\n)+ {2}↑ 006_rbac_roles \((?:\d+ ms|\d+\.\d s)\)\n {2}↑ 007_slow \(\d+\.\d s\)\nApplied 2 migrations in batch 2 \(\d+\.\d s\)\.\n$/); // durations as the machine sets them
    expect(run.stderr).toBe('');
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/\r|\u001b|⠋/);
  });

  it.skipIf(withoutScript)('draw a spinner on a terminal while a step takes over a second, and erase it', async () => {
    const output = await runOnTerminal(['down'], { ...env, KONSTRUCT_MIGRATIONS_DIR: slowDir });
    expect(output).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] reverting 007_slow {2}1\.\d s/);
    expect(output).toContain(`\r${ESC}2K`);
    expect(output).toMatch(/↓.* 007_slow .*\(1\.\d s\)/);
  });

  it('print nothing with --quiet', async () => {
    const down = await runCli(['down', '--all', '--quiet'], { env });
    expect(down).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const up = await runCli(['-q', 'up'], { env });
    expect(up).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect((await runCli(['status'], { env })).stdout).toMatch(/2 applied, 0 pending/);
  });
});

describe('help and version', () => {
  it('every command has --help with examples', async () => {
    // Every registered command, so one added later without examples fails here.
    const commands = buildProgram().commands.flatMap((c) => [c.name(), ...c.aliases()]);
    expect(commands).toEqual(expect.arrayContaining(['up', 'down', 'status', 'new', 'make']));
    for (const args of [['--help'], ...commands.map((c) => [c, '--help'])]) {
      const run = await runCli(args);
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.stdout, args.join(' ')).toMatch(/\nExamples:\n {2}konstruct-migrate /);
    }
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    for (const flag of ['--version', '-V']) expect((await runCli([flag])).stdout).toBe(`${version}\n`);
  });
});
