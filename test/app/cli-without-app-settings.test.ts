/**
 * The CLI needs only a database: absent or broken application settings (SMTP,
 * INVITE_SECRET) in the environment or .env never make a migration fail.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let workdir: string;

beforeAll(async () => {
  db = await createTestDatabase('cli_app_settings');
  workdir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-cli-app-settings-'));
  chmodSync(workdir, 0o755);
  writeFileSync(path.join(workdir, '.env'), 'SMTP_FROM_EMAIL=not-an-address\nSMTP_PORT=0x24B\n');
});
afterAll(async () => {
  await db?.drop();
  rmSync(workdir, { recursive: true, force: true });
});

it('up and status succeed with no SMTP settings and an INVITE_SECRET too short for invitations', async () => {
  const env = { DATABASE_URL: db.url, INVITE_SECRET: 'short', SMTP_HOST: undefined, SMTP_PASSWORD: undefined };
  const upRun = await runCli(['up'], { env, cwd: workdir });
  expect(upRun.stderr).not.toMatch(/SMTP|INVITE|settings/i);
  expect(upRun.code).toBe(0);
  const statusRun = await runCli(['status'], { env, cwd: workdir });
  expect(statusRun.code).toBe(0);
  expect(statusRun.stdout).toMatch(/2 applied, 0 pending/);
});
