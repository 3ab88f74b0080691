/**
 * The services' settings: every problem at once, by name and never by value;
 * the environment over .env; secrets redacted from every printed form.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAppSettings, SettingsError, type AppSettings } from '../../src/index';

// Distinctive values, so any leak is found by a plain substring search.
const DB_PASSWORD = 'db-pass-5f1e9c';
const INVITE_SECRET = 'invite-secret-0123456789abcdef-XYZ'; // 34 bytes
const SMTP_PASSWORD = 'smtp-pass-7d2a4b';

const valid = {
  DATABASE_URL: `postgres://konstruct:${DB_PASSWORD}@db.internal:5432/konstruct`,
  INVITE_SECRET,
  SMTP_HOST: 'smtp.example.com',
  SMTP_PORT: '2525',
  SMTP_USERNAME: 'mailer',
  SMTP_PASSWORD,
  SMTP_FROM_EMAIL: 'no-reply@example.com',
};

let noDotenvDir: string;
beforeAll(() => {
  noDotenvDir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-settings-'));
});
afterAll(() => {
  rmSync(noDotenvDir, { recursive: true, force: true });
});

const load = (env: Record<string, string | undefined>, cwd = noDotenvDir) => loadAppSettings({ env, cwd });

function failure(env: Record<string, string | undefined>, cwd?: string): SettingsError {
  try {
    load(env, cwd);
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return error as SettingsError;
  }
  throw new Error('settings were accepted');
}

function printedForms(value: unknown): string {
  return [String(value), JSON.stringify(value), inspect(value, { depth: 5 }), inspect({ nested: value }), `${value}`].join('\n');
}

describe('loadAppSettings', () => {
  it('returns typed settings, SMTP_PORT as a number', () => {
    const settings = load(valid);
    expect(settings).toEqual({ ...valid, SMTP_PORT: 2525 });
  });

  it('defaults SMTP_PORT to 587 when unset or blank', () => {
    expect(load({ ...valid, SMTP_PORT: undefined }).SMTP_PORT).toBe(587);
    expect(load({ ...valid, SMTP_PORT: '  ' }).SMTP_PORT).toBe(587);
  });

  it('reports every invalid variable at once, by name, never by value', () => {
    const env = {
      DATABASE_URL: `mysql://root:${DB_PASSWORD}@db/konstruct`,
      INVITE_SECRET: 'too-short-secret',
      SMTP_HOST: '',
      SMTP_PORT: '0x24B',
      SMTP_PASSWORD,
      SMTP_FROM_EMAIL: 'no-reply-at-example',
    };
    const error = failure(env);
    expect(error.problems).toEqual([
      { variable: 'DATABASE_URL', message: expect.stringMatching(/^is not a PostgreSQL URL/) },
      { variable: 'INVITE_SECRET', message: expect.stringMatching(/^must be at least 32 bytes/) },
      { variable: 'SMTP_HOST', message: 'is not set' },
      { variable: 'SMTP_PORT', message: 'must be a port number (1-65535)' },
      { variable: 'SMTP_USERNAME', message: 'is not set' },
      { variable: 'SMTP_FROM_EMAIL', message: 'is not a valid email address' },
    ]);
    for (const { variable } of error.problems) expect(error.message).toContain(variable);
    expect(error.message.split('\n')).toHaveLength(1);
    const everything = `${error.message}\n${error.hint}\n${error.stack}\n${inspect(error)}\n${JSON.stringify(error)}`;
    for (const value of [DB_PASSWORD, 'too-short-secret', SMTP_PASSWORD, 'no-reply-at-example', '0x24B']) {
      expect(everything).not.toContain(value);
    }
  });

  it.each(['0', '65536', '587.5', '-1', '5e2', '0x24B', 'smtp'])('refuses SMTP_PORT=%s', (port) => {
    expect(failure({ ...valid, SMTP_PORT: port }).problems).toEqual([{ variable: 'SMTP_PORT', message: 'must be a port number (1-65535)' }]);
  });

  it.each([['1', 1], ['65535', 65535], [' 465 ', 465]])('accepts SMTP_PORT=%j as %d', (port, expected) => {
    expect(load({ ...valid, SMTP_PORT: port }).SMTP_PORT).toBe(expected);
  });

  it('refuses a DATABASE_URL whose password has a raw @, #, / or ?, showing no part of it', () => {
    const error = failure({ ...valid, DATABASE_URL: 'postgres://app:Zq9@Xv7#Kp3@db.internal/konstruct' });
    expect(error.problems).toEqual([{ variable: 'DATABASE_URL', message: expect.stringMatching(/^has an @, #, \/ or \? in its user name or password that is not percent-encoded/) }]);
    for (const part of ['Zq9', 'Xv7', 'Kp3']) expect(error.message).not.toContain(part);
  });

  it('measures INVITE_SECRET in bytes: 31 ASCII bytes fail, 32 pass, 11 three-byte characters (33 bytes) pass', () => {
    expect(failure({ ...valid, INVITE_SECRET: 'x'.repeat(31) }).problems.map((p) => p.variable)).toEqual(['INVITE_SECRET']);
    expect(load({ ...valid, INVITE_SECRET: 'x'.repeat(32) }).INVITE_SECRET).toHaveLength(32);
    expect(load({ ...valid, INVITE_SECRET: '€'.repeat(11) }).INVITE_SECRET).toBe('€'.repeat(11));
  });

  it('reads .env, and a variable in the environment wins over the same one in .env', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-settings-dotenv-'));
    try {
      const lines = Object.entries({ ...valid, SMTP_HOST: 'from-dotenv.example.com' }).map(([k, v]) => `${k}=${v}`);
      writeFileSync(path.join(dir, '.env'), `${lines.join('\n')}\n`);
      expect(load({}, dir)).toEqual({ ...valid, SMTP_HOST: 'from-dotenv.example.com', SMTP_PORT: 2525 });
      expect(load({ SMTP_HOST: 'from-env.example.com' }, dir).SMTP_HOST).toBe('from-env.example.com');
      // Set in the environment, even to blank, it wins: the blank value is then "not set".
      expect(failure({ SMTP_HOST: '' }, dir).problems).toEqual([{ variable: 'SMTP_HOST', message: 'is not set' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ignores a missing .env and reports every variable that is not set', () => {
    expect(failure({}).problems.map((p) => `${p.variable} ${p.message}`)).toEqual([
      'DATABASE_URL is not set',
      'INVITE_SECRET is not set',
      'SMTP_HOST is not set',
      'SMTP_USERNAME is not set',
      'SMTP_PASSWORD is not set',
      'SMTP_FROM_EMAIL is not set',
    ]);
  });
});

describe('the settings object', () => {
  let settings: AppSettings;
  beforeAll(() => {
    settings = load(valid);
  });

  it('gives the secrets to code that reads them', () => {
    expect(settings.INVITE_SECRET).toBe(INVITE_SECRET);
    expect(settings.SMTP_PASSWORD).toBe(SMTP_PASSWORD);
    expect(settings.DATABASE_URL).toContain(DB_PASSWORD);
  });

  it('never prints a secret: toString, JSON and util.inspect are redacted', () => {
    const printed = printedForms(settings);
    for (const secret of [DB_PASSWORD, INVITE_SECRET, SMTP_PASSWORD]) expect(printed).not.toContain(secret);
    expect(JSON.parse(JSON.stringify(settings))).toEqual({
      ...valid,
      SMTP_PORT: 2525,
      DATABASE_URL: 'postgres://konstruct:***@db.internal:5432/konstruct',
      INVITE_SECRET: '***',
      SMTP_PASSWORD: '***',
    });
    expect(String(settings)).toMatch(/^AppSettings \{.*"SMTP_HOST":"smtp\.example\.com"/);
  });

  it('redacts a percent-encoded database password too', () => {
    const printed = printedForms(load({ ...valid, DATABASE_URL: 'postgres://u:p%40ss%2Fw0rd@db/konstruct' }));
    expect(printed).not.toMatch(/p%40ss|p@ss/);
    expect(printed).toContain('postgres://u:***@db/konstruct');
  });

  it('cannot be changed after loading', () => {
    expect(() => {
      (settings as { SMTP_HOST: string }).SMTP_HOST = 'elsewhere';
    }).toThrow(TypeError);
  });
});
