/**
 * Issue 15, item 1: no secret of the services' settings (INVITE_SECRET,
 * SMTP_PASSWORD, the DATABASE_URL password) comes out of any path a service
 * might use to print or copy them; `.reveal()` is the one way to read one.
 *
 * Each path is taken on the whole settings object and on a few fields picked
 * from it (as a service logs the settings it uses): before the schema wrapped
 * them in a Secret, every path below printed a raw value one way or the other
 * (the object's own toString/toJSON/inspect covered only the whole object, and
 * not console.dir, console.table, entries, spreading, cloning or key walkers).
 * Each also checks that it printed something meaningful, so it cannot pass by
 * printing nothing.
 */
import { Console } from 'node:console';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { format, inspect } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSettingsSchema, loadAppSettings, parseAppSettings, revealed, Secret, type AppSettings } from '../../src/index';
import {
  DB_PASSWORD, INVITE_SECRET, PRINTED_SETTINGS as PRINTED, SHOWN_DATABASE_URL as SHOWN_URL, SMTP_PASSWORD, VALID_SETTINGS as RAW,
} from '../support/app-settings-values';

const SECRETS = [DB_PASSWORD, INVITE_SECRET, SMTP_PASSWORD];

let noDotenvDir: string;
beforeAll(() => {
  noDotenvDir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-settings-secrets-'));
});
afterAll(() => {
  rmSync(noDotenvDir, { recursive: true, force: true });
});

const SOURCES: Array<[string, () => AppSettings]> = [
  ['loadAppSettings()', () => loadAppSettings({ env: RAW, cwd: noDotenvDir })],
  ['parseAppSettings()', () => parseAppSettings(RAW)],
  ['appSettingsSchema.parse()', () => appSettingsSchema.parse(RAW)],
];

/** A few settings picked out of the object, as a service logs the ones it uses. */
const picked = (s: AppSettings) => ({ url: s.DATABASE_URL, invite: s.INVITE_SECRET, smtp: s.SMTP_PASSWORD, host: s.SMTP_HOST });

/** What a console writes, through a real Console (node:console; vitest replaces the global one) on a stream that keeps it. */
function consoleOutput(use: (c: Console) => void): string {
  let written = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString();
      done();
    },
  });
  use(new Console({ stdout: stream, colorMode: false }));
  return written;
}

/** The lines a real pino logger writes for one call. */
function pinoOutput(log: (logger: pino.Logger) => void): string {
  let written = '';
  log(pino({ base: null }, { write: (line: string) => (written += line) }));
  return written;
}

/**
 * The technique of loggers and serializers that walk an object's keys themselves:
 * every own key (symbols and non-enumerable ones too), read through its
 * descriptor (getters called), recursing into every object it reaches.
 */
function walkKeys(value: unknown, seen = new Set<object>()): string {
  if (typeof value === 'function') return '[Function]';
  if (value === null || typeof value !== 'object') return typeof value === 'symbol' ? value.toString() : String(value);
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  const keys = new Set<string | symbol>([...Reflect.ownKeys(value), ...Object.getOwnPropertyNames(value)]);
  const entries = [...keys].map((key) => {
    const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
    const field = descriptor.get ? descriptor.get.call(value) : descriptor.value;
    return `${String(key)}: ${walkKeys(field, seen)}`;
  });
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}

function expectNoSecretIn(printed: string): void {
  for (const secret of SECRETS) expect(printed).not.toContain(secret);
}

describe.each(SOURCES)('the settings from %s', (_source, settingsFrom) => {
  let s: AppSettings;
  beforeAll(() => {
    s = settingsFrom();
  });

  it('hold the three secrets as Secrets', () => {
    for (const name of ['DATABASE_URL', 'INVITE_SECRET', 'SMTP_PASSWORD'] as const) expect(s[name]).toBeInstanceOf(Secret);
  });

  it('String() of each secret is its printed form', () => {
    expect([s.DATABASE_URL, s.INVITE_SECRET, s.SMTP_PASSWORD].map(String)).toEqual([SHOWN_URL, '***', '***']);
    expectNoSecretIn(String(s));
  });

  it('template literals and + print the printed form', () => {
    expect(`${s.DATABASE_URL} ${s.INVITE_SECRET} ${s.SMTP_PASSWORD}`).toBe(`${SHOWN_URL} *** ***`);
    expect('invite: ' + s.INVITE_SECRET).toBe('invite: ***');
    expectNoSecretIn(`${s}`);
  });

  it('JSON.stringify gives the printed forms', () => {
    expect(JSON.parse(JSON.stringify(s))).toEqual(PRINTED);
    expect(JSON.parse(JSON.stringify(picked(s)))).toEqual({ url: SHOWN_URL, invite: '***', smtp: '***', host: 'smtp.example.com' });
  });

  it('console.log and util.inspect show Secret(<printed form>)', () => {
    const printed = consoleOutput((c) => c.log(s, picked(s))) + inspect(s) + inspect({ nested: { deeper: s } }, { depth: 5 });
    expectNoSecretIn(printed);
    expect(printed).toContain(`DATABASE_URL: Secret(${SHOWN_URL})`);
    expect(printed).toContain('INVITE_SECRET: Secret(***)');
    expect(printed).toContain('invite: Secret(***)');
  });

  it('util.inspect with customInspect: false shows an empty Secret', () => {
    const printed = inspect(s, { customInspect: false }) + inspect(picked(s), { customInspect: false });
    expectNoSecretIn(printed);
    expect(printed).toContain('INVITE_SECRET: Secret {}');
    expect(printed).toContain("SMTP_HOST: 'smtp.example.com'");
  });

  it('util.inspect with showHidden, getters and unlimited depth shows no more', () => {
    const options = { showHidden: true, getters: true, depth: Infinity };
    const printed = inspect(s, options) + inspect(picked(s), options);
    expectNoSecretIn(printed);
    expect(printed).toContain(`DATABASE_URL: Secret(${SHOWN_URL})`);
    expect(printed).toContain('smtp: Secret(***)');
  });

  it('console.dir, with and without showHidden, shows an empty Secret', () => {
    const printed = consoleOutput((c) => {
      c.dir(s);
      c.dir(s, { showHidden: true });
      c.dir(picked(s), { showHidden: true, depth: null });
    });
    expectNoSecretIn(printed);
    expect(printed).toContain('SMTP_PASSWORD: Secret {}');
    expect(printed).toContain('url: Secret {}');
  });

  it('console.table lists every setting and no secret', () => {
    const printed = consoleOutput((c) => {
      c.table(s);
      c.table(picked(s));
    });
    expectNoSecretIn(printed);
    for (const name of Object.keys(RAW)) expect(printed).toContain(name);
    expect(printed).toContain("'smtp.example.com'");
  });

  it('Object.entries and Object.values hold Secrets, printed or used as values', () => {
    const values = Object.values(s);
    expect(values).toContain(s.INVITE_SECRET);
    expect(values.filter((value) => SECRETS.some((secret) => String(value).includes(secret)))).toEqual([]);
    expect(values.map(String)).toEqual(Object.values(PRINTED).map(String));
    const printed = inspect(Object.entries(s)) + JSON.stringify(Object.entries(s)) + Object.entries(s).join('\n') + inspect(Object.values(picked(s)));
    expectNoSecretIn(printed);
    expect(printed).toContain('INVITE_SECRET,***');
    expect(printed).toContain(`Secret(${SHOWN_URL})`);
  });

  it('a spread copy keeps the same Secrets: hidden when printed, still revealable', () => {
    const copy = { ...s };
    expectNoSecretIn(inspect(copy) + JSON.stringify(copy) + walkKeys(copy) + inspect({ ...picked(s) }, { customInspect: false }));
    expect(JSON.parse(JSON.stringify(copy))).toEqual(PRINTED);
    expect(copy.INVITE_SECRET.reveal()).toBe(INVITE_SECRET);
  });

  it('Object.assign copies the same Secrets', () => {
    const copy = Object.assign({}, s);
    expectNoSecretIn(inspect(copy, { customInspect: false }) + JSON.stringify(copy) + JSON.stringify(Object.assign({}, picked(s))));
    expect(JSON.parse(JSON.stringify(copy))).toEqual(PRINTED);
    expect(copy.SMTP_PASSWORD.reveal()).toBe(SMTP_PASSWORD);
  });

  it('structuredClone copies each Secret as an empty object that reveals nothing', () => {
    const clone = structuredClone(s);
    const printed = inspect(clone, { showHidden: true }) + JSON.stringify(clone) + walkKeys(clone) + JSON.stringify(structuredClone(picked(s)));
    expectNoSecretIn(printed);
    expect(printed).toContain('"INVITE_SECRET":{}');
    const cloned = clone.INVITE_SECRET as unknown as object;
    expect(cloned).not.toBeInstanceOf(Secret);
    expect(Reflect.ownKeys(cloned)).toEqual([]);
    expect('reveal' in cloned).toBe(false);
    expect(clone.SMTP_HOST).toBe('smtp.example.com');
  });

  it('util.format %o, %O, %j and %s print no secret', () => {
    for (const subject of [s, picked(s)]) {
      for (const placeholder of ['%o', '%O', '%j', '%s']) {
        const printed = format(placeholder, subject);
        expectNoSecretIn(printed);
        expect(printed, placeholder).toContain('smtp.example.com');
      }
    }
    expect(format('%s %s', s.INVITE_SECRET, s.DATABASE_URL)).toBe(`*** ${SHOWN_URL}`);
  });

  it('a logger that walks every own key and descriptor finds no secret', () => {
    const printed = walkKeys(s) + walkKeys(picked(s)) + walkKeys({ settings: s });
    expectNoSecretIn(printed);
    expect(printed).toContain('SMTP_HOST: smtp.example.com');
    expect(printed).toContain('INVITE_SECRET: {}');
  });

  it('pino logs them as their printed forms, merged or nested', () => {
    const merged = JSON.parse(pinoOutput((logger) => logger.info(s, 'settings loaded')));
    const nested = JSON.parse(pinoOutput((logger) => logger.info({ settings: s, ...picked(s) })));
    expectNoSecretIn(JSON.stringify([merged, nested]));
    expect(merged).toMatchObject({ ...PRINTED, msg: 'settings loaded' });
    expect(nested).toMatchObject({ settings: PRINTED, url: SHOWN_URL, invite: '***', smtp: '***' });
  });

  it('reveal() gives each exact value', () => {
    expect(s.DATABASE_URL.reveal()).toBe(RAW.DATABASE_URL);
    expect(s.INVITE_SECRET.reveal()).toBe(INVITE_SECRET);
    expect(s.SMTP_PASSWORD.reveal()).toBe(SMTP_PASSWORD);
  });
});

describe('revealed()', () => {
  it('gives the value of a Secret, and a plain string as it is', () => {
    expect(revealed(parseAppSettings(RAW).INVITE_SECRET)).toBe(INVITE_SECRET);
    expect(revealed(new Secret('a-secret'))).toBe('a-secret');
    expect(revealed(INVITE_SECRET)).toBe(INVITE_SECRET);
  });
});
