/**
 * --json, for pipelines: every command that takes it prints exactly one JSON
 * document on stdout whatever the outcome (success, a gate's verdict, a
 * refusal, a usage error found by commander or by the command, no connection),
 * always in the same envelope (docs/cli-output.md). The commands are read from
 * the program, so a command added later is held to the same rules.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program';
import { ExitCode } from '../../src/exit-codes';
import { runCli, type CliResult } from '../support/cli';
import { REPO_ROOT } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env: { DATABASE_URL: db.url, ...env } });

beforeAll(async () => {
  db = await createTestDatabase('json_envelope');
});
afterAll(async () => {
  await db?.drop();
});

const JSON_COMMANDS = buildProgram()
  .commands.filter((c) => c.options.some((o) => o.long === '--json'))
  .map((c) => c.name());

interface Envelope {
  command: string | null;
  ok: boolean;
  exitCode: number;
  result: Record<string, unknown> | null;
  error: { type: string; message: string; hint: string | null; completed: unknown[] } | null;
}

/** The run's stdout as one envelope: parses as a single document, and agrees with the process's exit code. */
function envelopeOf(run: CliResult, command: string | null): Envelope {
  let doc: Envelope;
  try {
    doc = JSON.parse(run.stdout);
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
  expect(Object.keys(doc)).toEqual(['command', 'ok', 'exitCode', 'result', 'error']);
  expect(doc.command).toBe(command);
  expect(doc.exitCode).toBe(run.code);
  if (doc.ok) {
    expect(doc.error).toBeNull();
    expect(doc.result).toEqual(expect.any(Object));
  } else {
    expect(doc.result).toBeNull();
    expect(doc.error).toEqual({ type: expect.any(String), message: expect.any(String), hint: expect.toBeOneOf([null, expect.any(String)]), completed: expect.any(Array) });
    expect(doc.exitCode).not.toBe(0);
  }
  return doc;
}

/** A usage error: exit 2, and a hint that says what to do (at the least, which --help to read). */
function expectUsageError(run: CliResult, command: string | null, type: string, message: RegExp): Envelope {
  expect(run.code, run.stderr).toBe(2);
  const doc = envelopeOf(run, command);
  expect(doc.ok).toBe(false);
  expect(doc.error!.type).toBe(type);
  expect(doc.error!.message).toMatch(message);
  expect(doc.error!.hint).toEqual(expect.any(String));
  return doc;
}

/** A URL nobody listens on: the connection is refused at once. */
async function unreachableUrl(): Promise<string> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `postgres://app:Secret-pw-42@127.0.0.1:${port}/konstruct`;
}

it('the commands that take --json are the ones that talk to a database', () => {
  expect(JSON_COMMANDS).toEqual(expect.arrayContaining(['up', 'down', 'status', 'verify', 'baseline', 'wait']));
});

describe.each(JSON_COMMANDS)('%s --json', (command) => {
  it('an unknown option, found by commander, is a usage error document pointing at the command’s --help', async () => {
    const run = await cli([command, '--json', '--frobnicate']);
    const doc = expectUsageError(run, command, 'UsageError', /^unknown option '--frobnicate'$/);
    expect(doc.error!.hint).toBe(`Run \`konstruct-migrate ${command} --help\` for usage.`);
    expect(run.stderr).toContain(`error: unknown option '--frobnicate'\n  Run \`konstruct-migrate ${command} --help\` for usage.`);
  });

  it('a bad value of a global option, given before the command, is a usage error document of that command', async () => {
    const run = await cli(['--connect-timeout', 'soon', command, '--json']);
    expectUsageError(run, command, 'UsageError', /'--connect-timeout <seconds>' argument 'soon' is invalid/);
  });

  // `new` needs no database and reads no KONSTRUCT_SCHEMA: these two are not registered for it (rather than skipped).
  if (command !== 'new') {
    it('a database that cannot be reached is an error document with exit 4 and what to do', async () => {
      const url = await unreachableUrl();
      // baseline and steer check their flags before connecting (exit 2), so they are given valid ones.
      const args = command === 'baseline' ? [command, '--from-alembic'] : command === 'steer' ? [command, '--resume'] : [command];
      const run = await runCli([...args, '--json', '--wait', '0', '--url', url]);
      expect(run.code, run.stderr).toBe(4);
      const doc = envelopeOf(run, command);
      expect(doc.error).toMatchObject({ type: 'ConnectionError', hint: expect.stringMatching(/\S/) });
      expect(run.stdout + run.stderr).not.toContain('Secret-pw-42');
    });

    it('a usage error found by the command itself carries a hint too', async () => {
      const run = await cli([command, '--json'], { KONSTRUCT_SCHEMA: 'not-a-name' });
      const doc = expectUsageError(run, command, 'ConfigError', /KONSTRUCT_SCHEMA "not-a-name" is not a plain identifier/);
      expect(doc.error!.hint).toBe(`Run \`konstruct-migrate ${command} --help\` for usage.`);
      expect(run.stderr).toContain(`  Run \`konstruct-migrate ${command} --help\` for usage.`);
    });
  }
});

describe('every outcome in one envelope, on a real database', () => {
  it('success, a gate’s verdict, a refusal and a bad target, one document each; text for people on stderr', async () => {
    const pending = await cli(['status', '--json', '--check']);
    expect(pending.code).toBe(3);
    expect(envelopeOf(pending, 'status')).toMatchObject({ ok: true, result: { applied: 0, pending: 2 } });
    expect(pending.stderr).toMatch(/0 applied, 2 pending/);

    const emptyVerify = await cli(['verify', '--json']);
    expect(envelopeOf(emptyVerify, 'verify')).toMatchObject({ ok: true, exitCode: 0, result: { ok: true, migration: null } });
    expect(emptyVerify.stderr).toMatch(/^The schema matches an empty schema/);

    const up = await cli(['up', '--json']);
    expect(envelopeOf(up, 'up')).toMatchObject({ ok: true, exitCode: 0, result: { dryRun: false, migrations: [{ name: '005_baseline' }, { name: '006_rbac_roles' }] } });

    const verify = await cli(['verify', '--json']);
    expect(envelopeOf(verify, 'verify')).toMatchObject({ ok: true, exitCode: 0, result: { ok: true, migration: '006_rbac_roles', differences: [] } });

    // -q silences the text for people, never the document asked for.
    const quiet = await cli(['status', '--json', '-q']);
    expect(envelopeOf(quiet, 'status')).toMatchObject({ ok: true, result: { applied: 2, pending: 0 } });
    expect(quiet.stderr).toBe('');

    const wait = await cli(['wait', '--json']);
    expect(envelopeOf(wait, 'wait')).toMatchObject({ ok: true, exitCode: 0, result: { serverVersion: expect.any(String), waitedMs: expect.any(Number) } });

    const refused = await cli(['baseline', '--to', '006', '--json']);
    expect(refused.code).toBe(8);
    expect(envelopeOf(refused, 'baseline').error).toMatchObject({ type: 'KonstructError', message: expect.stringMatching(/^the history already has 2 applied/), hint: expect.stringMatching(/--force/) });

    const badTarget = await cli(['up', '--to', 'nonsense', '--json']);
    expect(expectUsageError(badTarget, 'up', 'TargetError', /^unknown migration "nonsense"$/).error!.hint).toMatch(/^Known migrations: 005_baseline, 006_rbac_roles/);

    const down = await cli(['down', '--all', '--json']);
    expect(envelopeOf(down, 'down')).toMatchObject({ ok: true, exitCode: 0, result: { migrations: [{ name: '006_rbac_roles' }, { name: '005_baseline' }] } });
    expect(down.stderr).toMatch(/Reverted 2 migrations/);
  });

  it('a usage error of the command line itself is a document with no command', async () => {
    const unknown = await cli(['upp', '--json']);
    expect(expectUsageError(unknown, null, 'UsageError', /^unknown command 'upp'$/).error!.hint).toBe('Did you mean up? Run `konstruct-migrate --help` for usage.');

    const none = await cli(['--json']);
    expectUsageError(none, null, 'UsageError', /--json/);
  });

  it('what commander echoes from the command line has its passwords hidden', async () => {
    // A URL typed where a command or a number goes: commander quotes it back.
    const asCommand = await cli(['postgres://app:Typo-pw-17@db.internal/konstruct', '--json']);
    expectUsageError(asCommand, null, 'UsageError', /^unknown command 'postgres:\/\/app:\*\*\*@db\.internal\/konstruct'$/);
    const asValue = await cli(['up', '--json', '--url=postgres://app:Typo-pw-17@db.internal/konstruct', '--lock-wait', 'Typo-pw-17']);
    expectUsageError(asValue, 'up', 'UsageError', /argument '\*\*\*' is invalid/);
    for (const run of [asCommand, asValue]) expect(run.stdout + run.stderr).not.toContain('Typo-pw-17');
  });

  it('a usage error of a command without --json prints no document', async () => {
    const run = await cli(['db', '--json']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: unknown option '--json'\n {2}Run `konstruct-migrate db --help` for usage\.\n$/);
  });
});

it('docs/cli-output.md documents every exit code and the envelope’s fields', () => {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs', 'cli-output.md'), 'utf8');
  const codes = Object.values(ExitCode).filter((v): v is number => typeof v === 'number');
  for (const code of codes) expect(doc, `exit code ${code}`).toMatch(new RegExp(`^\\| ${code} \\| \\S`, 'm'));
  for (const field of ['"command"', '"ok"', '"exitCode"', '"result"', '"error"', '"type"', '"message"', '"hint"', '"completed"']) expect(doc).toContain(field);
});
