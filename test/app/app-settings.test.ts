/**
 * The services' settings: every problem at once, by name and never by value;
 * the environment over .env. That no printed or copied form shows a secret is
 * test/app/settings-secrets.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAppSettings, redactedAppSettings, Secret, SettingsError, type AppSettings } from '../../src/index';
import { DB_PASSWORD, PRINTED_SETTINGS, SMTP_PASSWORD, VALID_SETTINGS as valid } from '../support/app-settings-values';

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

/** The settings with every secret revealed, to compare with what was given. */
const revealedAll = (settings: AppSettings) =>
  Object.fromEntries(Object.entries(settings).map(([name, value]) => [name, value instanceof Secret ? value.reveal() : value]));

function printedForms(value: unknown): string {
  return [String(value), JSON.stringify(value), inspect(value, { depth: 5 }), inspect({ nested: value }), `${value}`].join('\n');
}

describe('loadAppSettings', () => {
  it('returns typed settings, SMTP_PORT as a number', () => {
    expect(revealedAll(load(valid))).toEqual({ ...valid, SMTP_PORT: 2525 });
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
    // The variables by name: an installed package has no .env.example to point at (found by review).
    expect(error.hint).toBe(
      'Set them in the environment or in .env; the variables: DATABASE_URL, INVITE_SECRET, SMTP_HOST, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD, SMTP_FROM_EMAIL.',
    );
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
    expect(load({ ...valid, INVITE_SECRET: 'x'.repeat(32) }).INVITE_SECRET.reveal()).toHaveLength(32);
    expect(load({ ...valid, INVITE_SECRET: '€'.repeat(11) }).INVITE_SECRET.reveal()).toBe('€'.repeat(11));
  });

  it('reads .env, and a variable in the environment wins over the same one in .env', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-settings-dotenv-'));
    try {
      const lines = Object.entries({ ...valid, SMTP_HOST: 'from-dotenv.example.com' }).map(([k, v]) => `${k}=${v}`);
      writeFileSync(path.join(dir, '.env'), `${lines.join('\n')}\n`);
      expect(revealedAll(load({}, dir))).toEqual({ ...valid, SMTP_HOST: 'from-dotenv.example.com', SMTP_PORT: 2525 });
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

  it('redactedAppSettings() gives plain values safe to log: each secret as ***, the URL without its password', () => {
    const redacted = redactedAppSettings(settings);
    expect(redacted).toEqual(PRINTED_SETTINGS);
    expect(Object.values(redacted).every((value) => typeof value === 'string' || typeof value === 'number')).toBe(true);
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
