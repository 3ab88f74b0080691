/**
 * A Unix-socket URL as libpq takes it: no host in the authority, the socket's
 * folder in a `host` parameter (`postgres://user:pw@/db?host=/run/postgresql&port=5433`).
 * On a throwaway server listening on a socket only, `status` connects through it.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config';
import { displayUrl } from '../../src/db/redact';
import { runCli } from '../support/cli';
import { startThrowawayServer, type ThrowawayServer } from '../support/throwaway-server';

let socketDir: string;
let server: ThrowawayServer;

beforeAll(async () => {
  socketDir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-socket-'));
  // As root the server runs as OS user postgres, which must be able to create its socket here.
  chmodSync(socketDir, 0o777);
  server = await startThrowawayServer({ label: 'socket', settings: { listen_addresses: '', unix_socket_directories: socketDir } });
});
afterAll(async () => {
  await server?.stop();
  rmSync(socketDir, { recursive: true, force: true });
});

describe('a socket URL with ?host=/folder', () => {
  it('is accepted as a PostgreSQL URL, and printed without its password', () => {
    const url = `postgres://app:pw@/konstruct?host=${socketDir}&sslmode=disable`;
    expect(loadConfig({ url, env: {}, cwd: socketDir })).toMatchObject({ connection: { url }, tls: { mode: 'disable' } });
    expect(displayUrl(url)).toBe(`postgres://app:***@/konstruct?host=${socketDir}&sslmode=disable`);
  });

  it('connects through the socket: status runs', async () => {
    const password = new URL(server.url).password;
    const url = `postgres://postgres:${password}@/postgres?host=${encodeURIComponent(socketDir)}&port=${server.port}`;
    const run = await runCli(['status'], { env: { DATABASE_URL: url }, timeoutMs: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/0 applied, 2 pending/);
  });
});
