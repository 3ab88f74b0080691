/**
 * The shared test server does not wait for vitest to read its log (server-process.ts, issue #26
 * item 5). This process blocks its own event loop (spawnSync) while a client makes the server log
 * 1,500 errors and then drops a database. When the server's output was piped into this process,
 * nothing read the pipe meanwhile: once 64 KiB of log filled it, the erroring session waited in
 * write(2), and so did the checkpointer, which the DROP DATABASE waits for.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PACKAGE_ROOT } from './cli';
import { startThrowawayServer, type ThrowawayServer } from './throwaway-server';

const ERRORS = 1_500; // about 150 bytes of log each: well over a pipe's 64 KiB

const logFile = path.join(os.tmpdir(), `konstruct-logfile-test-${process.pid}.log`);
let server: ThrowawayServer;

beforeAll(async () => {
  server = await startThrowawayServer({ label: 'logfile', settings: { fsync: 'off' }, logFile });
});
afterAll(async () => {
  await server?.stop();
  rmSync(logFile, { force: true });
});

const CLIENT = `
  const { Client } = require('pg');
  (async () => {
    const client = new Client({ connectionString: process.argv[1] });
    await client.connect();
    await client.query('CREATE DATABASE log_flood');
    for (let i = 0; i < ${ERRORS}; i++) await client.query('SELECT 1/0').catch(() => {});
    await client.query('DROP DATABASE log_flood');
    await client.end();
    console.log('done');
  })();`;

it('finishes a session that logs 1,500 errors and a DROP DATABASE while this process reads nothing', () => {
  // The bound only turns a hang into a failure.
  const run = spawnSync(process.execPath, ['-e', CLIENT, server.url], { cwd: PACKAGE_ROOT, encoding: 'utf8', timeout: 90_000 });
  expect({ status: run.status, signal: run.signal, stdout: run.stdout.trim(), stderr: run.stderr }).toEqual({ status: 0, signal: null, stdout: 'done', stderr: '' });
  expect(readFileSync(logFile, 'utf8').match(/ERROR: {2}division by zero/g)).toHaveLength(ERRORS);
});
