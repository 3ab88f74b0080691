/**
 * For pipelines: `status --check` gates on pending work, `--json` prints one
 * document on stdout, `--wait` / `wait` wait for a database that is starting,
 * and the exit codes are listed in --help.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startWatchedCli } from '../support/watched-cli';

let db: TestDatabase;
const cli = (...args: string[]) => runCli(args, { env: { DATABASE_URL: db.url } });

beforeAll(async () => {
  db = await createTestDatabase('cioutput');
});
afterAll(async () => {
  await db?.drop();
});

describe('status --check', () => {
  it('exits 3 while migrations are pending and 0 once up to date', async () => {
    const pending = await cli('status', '--check');
    expect(pending.code).toBe(3);
    expect(pending.stdout).toMatch(/0 applied, 2 pending\./);
    expect((await cli('up')).code).toBe(0);
    expect((await cli('status', '--check')).code).toBe(0);
    expect((await cli('status')).code).toBe(0);
  });
});

describe('--json', () => {
  it('up, status and down each print exactly one JSON document on stdout, and their human text on stderr', async () => {
    expect((await cli('down', '--all', '--yes')).code).toBe(0);

    const upRun = await cli('up', '--json');
    expect(upRun.code, upRun.stderr).toBe(0);
    const upDoc = JSON.parse(upRun.stdout);
    expect(upDoc).toEqual({
      command: 'up',
      ok: true,
      exitCode: 0,
      result: {
        dryRun: false,
        batch: expect.any(Number),
        expanded: [],
        migrations: [
          { name: '005_baseline', direction: 'up', durationMs: expect.any(Number), attempts: 1 },
          { name: '006_rbac_roles', direction: 'up', durationMs: expect.any(Number), attempts: 1 },
        ],
      },
      error: null,
    });
    expect(upRun.stderr).toMatch(/↑ 005_baseline[\s\S]*Applied 2 migrations in batch/);

    const statusRun = await cli('status', '--json', '--check');
    const statusDoc = JSON.parse(statusRun.stdout);
    expect(statusDoc).toEqual({
      command: 'status',
      ok: true,
      exitCode: 0,
      result: {
        migrations: [
          { name: '005_baseline', state: 'applied', appliedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), batch: upDoc.result.batch, changed: false, earlierRevision: false, partWay: null, steering: null },
          { name: '006_rbac_roles', state: 'applied', appliedAt: expect.any(String), batch: upDoc.result.batch, changed: false, earlierRevision: false, partWay: null, steering: null },
        ],
        applied: 2,
        pending: 0,
        partWay: [],
        changed: [],
        planChanged: [],
        unknown: [],
        accepted: [],
        order: [],
        knexLocked: false,
      },
      error: null,
    });
    expect(statusRun.stderr).toMatch(/2 applied, 0 pending: up to date\./);

    const downRun = await cli('down', '--json');
    expect(JSON.parse(downRun.stdout)).toEqual({
      command: 'down',
      ok: true,
      exitCode: 0,
      result: {
        dryRun: false,
        dataLoss: [],
        expanded: [],
        migrations: [{ name: '006_rbac_roles', direction: 'down', durationMs: expect.any(Number), attempts: 1 }],
      },
      error: null,
    });
  });

  it('an error is a JSON document too, with ok false, the exit code, the message and what to do', async () => {
    const run = await cli('up', '--to', '042', '--json');
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({
      command: 'up',
      ok: false,
      exitCode: 2,
      result: null,
      error: { type: 'TargetError', message: 'unknown migration "042"', hint: 'Known migrations: 005_baseline, 006_rbac_roles', completed: [] },
    });
    expect(run.stderr).toMatch(/error: unknown migration "042"/);
  });
});

/** A TCP port that forwards to the test server, opened only when asked: a database "starting up". */
async function laterDatabasePort() {
  const target = new URL(db.url);
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const proxy = net.createServer((client) => {
    const server = net.connect(Number(target.port || 5432), target.hostname);
    client.pipe(server).pipe(client);
    client.on('error', () => server.destroy());
    server.on('error', () => client.destroy());
  });
  const url = new URL(db.url);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    open: () => new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve)),
    close: () => new Promise<void>((resolve) => proxy.close(() => resolve())),
  };
}

describe('--wait and wait', () => {
  it('--wait keeps trying until the database accepts connections, then runs the command', async () => {
    const later = await laterDatabasePort();
    const run = startWatchedCli(['status', '--wait', '60'], { env: { DATABASE_URL: later.url } });
    try {
      await run.waitForOutput(/waiting up to 1 min for the database to accept connections \(cannot reach the database server: connect ECONNREFUSED/);
      await later.open();
      const result = await run.exited;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/applied/);
    } finally {
      await later.close();
    }
  });

  it('`wait` exits 0 once the database answers, and 4 when it never does', async () => {
    const ready = await cli('wait', '5');
    expect(ready.code, ready.stderr).toBe(0);
    expect(ready.stdout).toMatch(/^The database accepts connections \(PostgreSQL \d+/);

    const later = await laterDatabasePort();
    const never = await runCli(['wait', '1'], { env: { DATABASE_URL: later.url } });
    expect(never.code).toBe(4);
    expect(never.stderr).toMatch(/error: cannot reach the database server: connect ECONNREFUSED .* \(gave up after waiting \d+(\.\d)? s, --wait\)/);
  });

  it('without --wait, an unreachable database fails at once (exit 4)', async () => {
    const later = await laterDatabasePort();
    const run = await runCli(['status'], { env: { DATABASE_URL: later.url } });
    expect(run.code).toBe(4);
    expect(run.stderr).not.toMatch(/waiting/);
  });
});

describe('--help', () => {
  it('lists every exit code and the safety options', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const code of ['0  success', '2  usage', '3  migrations pending', '4  cannot connect', '5  lock not acquired', '6  a migration failed', '7  destructive down refused', '8  history mismatch', '9  schema drift', '10  unsafe migration', '11  complete refused', '12  migration lock lost', '130  interrupted by SIGINT', '143  interrupted by SIGTERM']) {
      expect(help.stdout).toContain(code);
    }
    expect(help.stdout).toMatch(/--wait \[seconds\]/);
    expect(help.stdout).toMatch(/--connect-timeout <seconds>/);
    expect(help.stdout).toMatch(/wait \[options\] \[seconds\]/);

    const upHelp = await runCli(['up', '--help']);
    for (const option of ['--json', '--dry-run', '--lock-wait <seconds>', '--lock-timeout <seconds>', '--lock-retries <count>', '--statement-timeout <seconds>', '--allow-changed']) {
      expect(upHelp.stdout).toContain(option);
    }
    expect((await runCli(['down', '--help'])).stdout).toContain('--yes');
    expect((await runCli(['status', '--help'])).stdout).toMatch(/--check[\s\S]*--json/);
  });
});
