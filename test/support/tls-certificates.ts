/**
 * Certificates for a PostgreSQL server with TLS, made with the openssl command
 * (Node has no API that issues X.509 certificates): a CA, a server certificate
 * it signs for IP 127.0.0.1 only, and an unrelated second CA. Valid for two days.
 */
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runProcess } from './cli';

export interface TestCertificates {
  dir: string;
  /** The CA that signed the server certificate. */
  caFile: string;
  /** A CA that signed nothing here. */
  otherCaFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  remove(): void;
}

export const hasOpenssl = async () => (await runProcess('openssl', ['version']).catch(() => ({ code: -1 }))).code === 0;

export async function makeTestCertificates(): Promise<TestCertificates> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-tls-'));
  chmodSync(dir, 0o755); // the server may run as OS user postgres (see throwaway-server.ts)
  const file = (name: string) => path.join(dir, name);
  const openssl = async (...args: string[]) => {
    const run = await runProcess('openssl', args, { cwd: dir });
    if (run.code !== 0) throw new Error(`openssl ${args[0]} failed: ${run.stderr}`);
  };
  const selfSignedCa = (name: string) =>
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`);

  await selfSignedCa('konstruct-test-ca');
  await selfSignedCa('unrelated-ca');
  await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(file('server.ext'), 'subjectAltName = IP:127.0.0.1\n');
  await openssl('x509', '-req', '-in', 'server.csr', '-CA', 'konstruct-test-ca.pem', '-CAkey', 'konstruct-test-ca.key', '-CAcreateserial',
    '-days', '2', '-extfile', 'server.ext', '-out', 'server.pem');

  // PostgreSQL refuses a key that others can read; it must belong to the user the server runs as.
  chmodSync(file('server.key'), 0o600);
  if (process.getuid?.() === 0) {
    const postgres = await runProcess('id', ['-u', 'postgres']);
    const group = await runProcess('id', ['-g', 'postgres']);
    chownSync(file('server.key'), Number(postgres.stdout), Number(group.stdout));
  }
  return {
    dir,
    caFile: file('konstruct-test-ca.pem'),
    otherCaFile: file('unrelated-ca.pem'),
    serverCertFile: file('server.pem'),
    serverKeyFile: file('server.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
