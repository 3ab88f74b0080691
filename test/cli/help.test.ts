/**
 * --help as a user reads it: each command's help lists its own options and the
 * global ones (its examples use them), defaults are shown as they really are,
 * a shared option is worded the same everywhere, -q silences every success
 * line, and a wrong command line points at the command's own --help. Commands
 * are read from the program, so one added later is held to the same rules.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program';
import { runCli } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const program = buildProgram();
const COMMANDS = program.commands.map((c) => c.name());
const GLOBAL_FLAGS = program.options.map((o) => o.flags);

/** The help text's lines under `heading`, up to the next blank line. */
function section(help: string, heading: string): string {
  const start = help.indexOf(`\n${heading}\n`);
  if (start < 0) return '';
  const body = help.slice(start + heading.length + 2);
  return body.slice(0, body.search(/\n\n|$/));
}

/** Option descriptions as printed, keyed by flags (continuation lines joined). */
function optionTexts(sectionText: string): Map<string, string> {
  const texts = new Map<string, string>();
  let current = '';
  for (const line of sectionText.split('\n')) {
    const match = /^ {2}(\S.*?)(?: {2,}(.*))?$/.exec(line);
    if (match) {
      current = match[1]!;
      texts.set(current, match[2] ?? '');
    } else if (current) {
      texts.set(current, `${texts.get(current)} ${line.trim()}`);
    }
  }
  return texts;
}

describe.each(COMMANDS)('%s --help', (command) => {
  it('lists the command’s own options and every global option', async () => {
    const run = await runCli([command, '--help']);
    expect(run.code).toBe(0);
    const own = optionTexts(section(run.stdout, 'Options:'));
    const global = optionTexts(section(run.stdout, 'Global Options:'));
    const declared = program.commands.find((c) => c.name() === command)!.options.map((o) => o.flags);
    expect([...own.keys()]).toEqual([...declared, '-h, --help']);
    expect([...global.keys()]).toEqual(GLOBAL_FLAGS);
    for (const [flags, text] of [...own, ...global]) expect(text, flags).toMatch(/\w/);
  });

  it('an unknown option is an error line and a pointer to this command’s --help, exit 2', async () => {
    const run = await runCli([command, '--frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`error: unknown option '--frobnicate'\n  Run \`konstruct-migrate ${command} --help\` for usage.\n`);
  });
});

describe('shared options', () => {
  it('are worded the same in every command that takes them', async () => {
    const seen = new Map<string, Set<string>>();
    for (const command of COMMANDS) {
      const help = (await runCli([command, '--help'])).stdout;
      for (const [flags, text] of optionTexts(section(help, 'Options:'))) {
        if (flags === '--json' || flags.endsWith('--help')) seen.set(flags, (seen.get(flags) ?? new Set()).add(text));
        // An option naming a migration says the same about what it accepts.
        if (flags.endsWith('<migration>')) expect(text, `${command} ${flags}`).toMatch(/\(name or number, e\.g\. 005\)$/);
      }
    }
    expect(seen.get('--json')?.size).toBe(1);
    expect(seen.get('-h, --help')?.size).toBe(1);
  });

  it('the global options are described once: the program’s help and each command’s say the same', async () => {
    const top = optionTexts(section((await runCli(['--help'])).stdout, 'Options:'));
    const ofUp = optionTexts(section((await runCli(['up', '--help'])).stdout, 'Global Options:'));
    for (const flags of GLOBAL_FLAGS) expect(ofUp.get(flags), flags).toBe(top.get(flags));
  });
});

describe('defaults, as they really are', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'konstruct-help-'));
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));
  const schemaText = async (env: Record<string, string> = {}) =>
    optionTexts(section((await runCli(['status', '--help'], { cwd, env })).stdout, 'Global Options:')).get('--schema <name>');

  it('--schema: public, or KONSTRUCT_SCHEMA from the environment or .env', async () => {
    expect(await schemaText()).toBe('the PostgreSQL schema to migrate (default: public)');
    expect(await schemaText({ KONSTRUCT_SCHEMA: 'tenant_a' })).toBe('the PostgreSQL schema to migrate (default: tenant_a, from KONSTRUCT_SCHEMA)');
    writeFileSync(path.join(cwd, '.env'), 'KONSTRUCT_SCHEMA=tenant_b\n');
    expect(await schemaText()).toBe('the PostgreSQL schema to migrate (default: tenant_b, from KONSTRUCT_SCHEMA)');
    // The environment wins over .env, as it does when the command runs.
    expect(await schemaText({ KONSTRUCT_SCHEMA: 'tenant_a' })).toBe('the PostgreSQL schema to migrate (default: tenant_a, from KONSTRUCT_SCHEMA)');
  });

  it('new --dir: the project root\'s migrations/, or KONSTRUCT_MIGRATIONS_DIR', async () => {
    const dirText = async (env: Record<string, string> = {}) => optionTexts(section((await runCli(['new', '--help'], { cwd, env })).stdout, 'Options:')).get('--dir <folder>');
    expect(await dirText()).toBe('the source migrations folder (default: migrations/ of the project root)');
    expect(await dirText({ KONSTRUCT_MIGRATIONS_DIR: 'db/migrations' })).toBe('the source migrations folder (default: db/migrations, from KONSTRUCT_MIGRATIONS_DIR)');
  });

  it('the numeric defaults are shown', async () => {
    const help = (await runCli(['up', '--help'])).stdout;
    expect(optionTexts(section(help, 'Options:')).get('--lock-wait <seconds>')).toMatch(/\(default: 60\)$/);
    const global = optionTexts(section(help, 'Global Options:'));
    expect(global.get('--connect-timeout <seconds>')).toMatch(/\(default: 10\)$/);
    expect(global.get('--wait [seconds]')).toMatch(/\(default: 0; for `wait`: 60\)$/);
  });
});

describe('-q', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase('help_quiet');
    dir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-quiet-'));
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('silences the success lines of every command', async () => {
    const env = { DATABASE_URL: db.url };
    const history = () => db.knex('knex_migrations').pluck('name');
    // In an order where each succeeds and does its work quietly; then the same command
    // without -q prints (the silence is -q's doing). Every command of the program must appear.
    const runs: Array<{ name: string; args: string[]; loud?: string[]; then?: () => Promise<void>; prints: RegExp }> = [
      { name: 'new', args: ['new', 'add_widgets', '--dir', dir], then: async () => rmSync(path.join(dir, '001_add_widgets.ts')), prints: /^Created / },
      { name: 'status', args: ['status'], prints: /0 applied, 2 pending/ },
      { name: 'steer', args: ['steer', '006', '--batch-time', '50'], prints: /^006_rbac_roles: not paused\.\n {2}Target batch time: 50 ms/ },
      { name: 'up', args: ['up'], then: async () => expect(await history()).toHaveLength(2), prints: /Nothing to apply/ },
      { name: 'complete', args: ['complete'], prints: /Nothing to complete/ },
      { name: 'check', args: ['check'], prints: /Nothing to check/ },
      { name: 'verify', args: ['verify'], prints: /The schema matches/ },
      { name: 'wait', args: ['wait', '5'], prints: /accepts connections/ },
      {
        name: 'baseline',
        args: ['baseline', '--to', '006'],
        loud: ['baseline', '--to', '006', '--force'],
        then: async () => expect(await history()).toHaveLength(2),
        prints: /Nothing to record/,
      },
      { name: 'down', args: ['down', '--all'], then: async () => expect(await history()).toHaveLength(0), prints: /Nothing to revert/ },
    ];
    // `db` serves only the embedded server and runs until Ctrl-C (test/cli/db-command.test.ts).
    expect(runs.map((r) => r.name).sort()).toEqual(COMMANDS.filter((c) => c !== 'db').sort());
    for (const run of runs) {
      if (run.name === 'baseline') await db.knex('knex_migrations').delete(); // a schema at 006 with no history
      const quiet = await runCli(['-q', ...run.args], { env });
      expect(quiet, run.name).toMatchObject({ code: 0, stdout: '', stderr: '' });
      await run.then?.();
      const loud = await runCli(run.loud ?? run.args, { env });
      expect(loud.code, `${run.name}: ${loud.stderr}`).toBe(0);
      expect(loud.stdout, run.name).toMatch(run.prints);
    }
  });
});
