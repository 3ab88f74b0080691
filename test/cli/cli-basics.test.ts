/** The built CLI as a spawned process: output, exit codes, help, configuration precedence, the embedded default. */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Option } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program';
import { RUN_DEFAULTS } from '../../src/engine/locked-run';
import { ExitCode } from '../../src/exit-codes';
import { PACKAGE_ROOT, runCli } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let workdir: string;

beforeAll(async () => {
  db = await createTestDatabase('cli');
  // Readable by the `postgres` OS user, which the embedded server runs as under root.
  workdir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-cli-'));
  chmodSync(workdir, 0o755);
  makeProject(workdir);
});

/** The embedded server is used only inside a project (package.json and migrations/, see test/config/project-root.test.ts). */
function makeProject(dir: string): void {
  writeFileSync(path.join(dir, 'package.json'), '{}\n');
  mkdirSync(path.join(dir, 'migrations'));
}
afterAll(async () => {
  await db?.drop();
  rmSync(workdir, { recursive: true, force: true });
});

describe('konstruct-migrate against DATABASE_URL', () => {
  it('up, status, down report what they did and exit 0', async () => {
    const env = { DATABASE_URL: db.url };
    const upRun = await runCli(['up'], { env });
    expect(upRun.code).toBe(0);
    expect(upRun.stdout).toMatch(/Applied 2 migrations in batch 1/);
    expect(upRun.stdout).toMatch(/↑ 005_baseline \((?:\d+ ms|\d+\.\d s)\)/); // ms below a second, else s: the machine sets which
    expect(upRun.stdout).toMatch(/↑ 006_rbac_roles \((?:\d+ ms|\d+\.\d s)\)/); // ms below a second, else s: the machine sets which

    const statusRun = await runCli(['status'], { env });
    expect(statusRun.code).toBe(0);
    expect(statusRun.stdout).toMatch(/005_baseline\s+applied\s+\d{4}-/);
    expect(statusRun.stdout).toMatch(/2 applied, 0 pending: up to date\./);

    const downRun = await runCli(['down'], { env });
    expect(downRun.code).toBe(0);
    expect(downRun.stdout).toMatch(/↓ 006_rbac_roles \((?:\d+ ms|\d+\.\d s)\)/); // ms below a second, else s: the machine sets which

    // 006 pending now: up --to 005 has nothing to apply, and does not call the database up to date.
    const upTo = await runCli(['up', '--to', '005'], { env });
    expect([upTo.code, upTo.stdout]).toEqual([0, 'Nothing to apply: 005_baseline and the migrations before it are applied.\n']);
  });

  it('--url wins over DATABASE_URL, which wins over .env', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-dotenv-'));
    try {
      writeFileSync(path.join(dir, '.env'), 'DATABASE_URL=postgres://nobody:dotenv-secret@127.0.0.1:1/none\n');
      const fromDotenv = await runCli(['status'], { cwd: dir });
      expect(fromDotenv.code).toBe(4);
      expect(fromDotenv.stderr).toMatch(/cannot reach/);

      const envWins = await runCli(['status'], { cwd: dir, env: { DATABASE_URL: db.url } });
      expect(envWins.code).toBe(0);

      const flagWins = await runCli(['status', '--url', db.url], { cwd: dir, env: { DATABASE_URL: 'postgres://x:y@127.0.0.1:1/none' } });
      expect(flagWins.code).toBe(0);
      expect(`${fromDotenv.stdout}${fromDotenv.stderr}`).not.toContain('dotenv-secret');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a malformed DATABASE_URL is a usage error (2) that does not echo the value', async () => {
    const run = await runCli(['status'], { env: { DATABASE_URL: 'postgres//admin:hunter2@db/x' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/DATABASE_URL is not a PostgreSQL URL/);
    expect(run.stderr).not.toContain('hunter2');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown command or flag is a usage error (2)', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli(['up', '--frobnicate'])).code).toBe(2);
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8'));
    expect(await runCli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });
});

/** Help text with its line wrapping undone, so a description reads as one string. */
const unwrapped = (text: string) => text.replace(/\s+/g, ' ');

/** How commander prints an option in help: flags, description, then its default (if any). */
function helpLine(option: Option): string {
  const shown = option.defaultValue !== undefined && !option.negate && typeof option.defaultValue !== 'boolean';
  return `${option.flags} ${option.description}${shown ? ` (default: ${JSON.stringify(option.defaultValue)})` : ''}`;
}

describe('--help', () => {
  const program = buildProgram();
  const RUN_OPTIONS = [
    '--dry-run', '--lock-wait <seconds>', '--lock-timeout <seconds>', '--lock-budget <seconds>', '--lock-retries <count>',
    '--batch-size <rows>', '--batch-time <ms>', '--batch-pause <ms>', '--statement-timeout <seconds>', '--allow-changed', '--json',
  ];
  /** The options each command must have (the docs promise them); a command may have more. */
  const promised: Record<string, string[]> = {
    up: ['--to <migration>', '--expand', '--check-threshold <rows>', '--no-check', '--allow-out-of-order', ...RUN_OPTIONS],
    down: ['--to <migration>', '--all', '--to-expanded', '--yes', ...RUN_OPTIONS],
    complete: RUN_OPTIONS,
    status: ['--check', '--json'],
    verify: ['--against <migration>', '--json'],
    baseline: ['--from-alembic', '--to <migration>', '--dry-run', '--force', '--drop-alembic-version', '--json'],
    new: ['--dir <folder>', '--json'],
    wait: ['--json'],
    steer: ['--pause', '--reason <text>', '--resume', '--batch-time <ms>', '--json'],
    check: ['--to <migration>', '--threshold <rows>', '--recorded [file]', '--record-sizes [file]', '--format <format>', '--json'],
    db: ['--psql'],
  };

  it('lists every command with its description, the global options and every exit code', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    const help = unwrapped(run.stdout);
    expect(program.commands.map((c) => c.name()).sort()).toEqual(Object.keys(promised).sort());
    for (const command of program.commands) expect(help).toContain(` ${command.description()}`);
    for (const option of program.options) expect(help).toContain(helpLine(option));
    for (const code of Object.values(ExitCode).filter((v) => typeof v === 'number')) expect(help).toMatch(new RegExp(` ${code} [a-z]`));
  });

  it.each(Object.keys(promised))('of %s shows each of its options, with what it does and its default', async (name) => {
    const command = program.commands.find((c) => c.name() === name)!;
    expect(command.options.map((o) => o.flags)).toEqual(expect.arrayContaining(promised[name]!));
    const run = await runCli([name, '--help']);
    expect(run.code).toBe(0);
    const help = unwrapped(run.stdout);
    expect(help).toContain(command.description());
    for (const option of command.options) expect(help).toContain(helpLine(option));
    expect(help).toContain('Examples:');
  });

  it('of up, down and complete states the defaults the library runs with', async () => {
    for (const name of ['up', 'down', 'complete']) {
      const help = unwrapped((await runCli([name, '--help'])).stdout);
      expect(help).toMatch(new RegExp(`--lock-wait <seconds> [^(]+\\(default: ${RUN_DEFAULTS.lockWait}\\)`));
      expect(help).toMatch(new RegExp(`--lock-timeout <seconds> [^(]+\\(0: wait indefinitely\\) \\(default: ${RUN_DEFAULTS.lockTimeout}\\)`));
      expect(help).toMatch(new RegExp(`--lock-budget <seconds> [^(]+\\(jittered, growing pauses\\) \\(default: ${RUN_DEFAULTS.lockBudget}\\)`));
      expect(help).toMatch(/--lock-retries <count> [^(]+\(default: as many as --lock-budget allows\)/);
      expect(help).toMatch(new RegExp(`--batch-size <rows> [^(]+\\(one short transaction\\) \\(default: ${RUN_DEFAULTS.batchSize}\\)`));
      expect(help).toMatch(new RegExp(`--batch-time <ms> [^(]+up to --batch-size \\(default: ${RUN_DEFAULTS.batchTime}\\)`));
      expect(help).toMatch(new RegExp(`--batch-pause <ms> [^(]+\\(default: ${RUN_DEFAULTS.batchPause}\\)`));
    }
  });
});

describe('konstruct-migrate with no DATABASE_URL', () => {
  it('under CI, refuses to use a throwaway database (exit 2)', async () => {
    const run = await runCli(['up'], { cwd: workdir, env: { CI: 'true' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/DATABASE_URL is not set and CI is set/);
  });

  it.runIf(process.getuid?.() === 0)('as root, says clearly when the postgres OS user cannot reach the data folder', async () => {
    const locked = mkdtempSync(path.join(os.tmpdir(), 'konstruct-locked-')); // mkdtemp: mode 0700
    makeProject(locked);
    try {
      const run = await runCli(['up'], { cwd: locked });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/OS user postgres, which cannot enter .*konstruct-locked-/);
      expect(run.stderr).toMatch(/KONSTRUCT_PGDATA/);
    } finally {
      rmSync(locked, { recursive: true, force: true });
    }
  });

  it('uses an embedded PostgreSQL in ./.konstruct/pgdata that persists between runs', async () => {
    const up = await runCli(['up'], { cwd: workdir, timeoutMs: 120_000 });
    expect(up.stderr).toMatch(/using the embedded PostgreSQL in .*\.konstruct\/pgdata/);
    expect(up.code).toBe(0);
    const status = await runCli(['status'], { cwd: workdir, timeoutMs: 120_000 });
    expect(status.stdout).toMatch(/2 applied, 0 pending/);
    const down = await runCli(['down'], { cwd: workdir, timeoutMs: 120_000 });
    expect(down.code).toBe(0);
  });
});
