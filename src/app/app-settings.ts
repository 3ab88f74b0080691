/**
 * The settings a Konstruct service needs to use this schema: the database and, since
 * revision 006, invitations and the mail that carries them.
 *
 * One zod schema, loaded from `./.env` and the environment (the environment wins,
 * as with dotenv); a blank value counts as unset. Every problem is reported at once,
 * by variable name, never by value. The schema itself wraps INVITE_SECRET,
 * SMTP_PASSWORD and DATABASE_URL in a `Secret` once they are validated, so whatever
 * prints or copies the settings (logging, inspecting, JSON, spreading, cloning) sees
 * `***` or the URL with its password hidden, and only `.reveal()` reads a value.
 *
 * The CLI does not use this: migrating needs only a database (src/config).
 */
// zod 4, whose schemas applications use; the CLI's configuration uses zod/v3, see src/config/config-schema.ts for why.
import { z } from 'zod';
import { hasUnencodedCredentials, isPostgresUrl, NOT_A_POSTGRES_URL, readDotenv, UNENCODED_CREDENTIALS } from '../config/database-url';
import { displayUrl } from '../db/redact';
import { ConfigError } from '../errors';
import { MIN_INVITE_SECRET_BYTES } from './invitation-token';
import { Secret } from './secret';

const blankAsUnset = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const setting = () => z.string({ error: 'is not set' });
const variable = <T extends z.ZodType>(schema: T) => z.preprocess(blankAsUnset, schema);
// Wrapped last, after every check has seen the raw string, so no value ever leaves the schema unprotected.
const hidden = (value: string) => new Secret(value);

export const DEFAULT_SMTP_PORT = 587;
const NOT_A_PORT = 'must be a port number (1-65535)';

export const appSettingsSchema = z.object({
  DATABASE_URL: variable(
    setting()
      .trim()
      .min(1, 'is empty')
      .refine((url) => !hasUnencodedCredentials(url), { message: UNENCODED_CREDENTIALS, abort: true })
      .refine(isPostgresUrl, { message: NOT_A_POSTGRES_URL })
      .transform((url) => new Secret(url, displayUrl(url))),
  ),
  INVITE_SECRET: variable(
    setting().refine((secret) => Buffer.byteLength(secret, 'utf8') >= MIN_INVITE_SECRET_BYTES, {
      message: `must be at least ${MIN_INVITE_SECRET_BYTES} bytes (generate one with: openssl rand -base64 48)`,
    }).transform(hidden),
  ),
  SMTP_HOST: variable(setting().trim()),
  SMTP_PORT: variable(
    setting()
      .trim()
      // Digits only: Number() would also take '0x24B' or '5e2'.
      .regex(/^\d{1,5}$/, NOT_A_PORT)
      .transform(Number)
      .refine((port) => port >= 1 && port <= 65535, NOT_A_PORT)
      .default(DEFAULT_SMTP_PORT),
  ),
  SMTP_USERNAME: variable(setting()),
  SMTP_PASSWORD: variable(setting().transform(hidden)),
  SMTP_FROM_EMAIL: variable(setting().trim().pipe(z.email('is not a valid email address'))),
});

export type AppSettings = Readonly<z.output<typeof appSettingsSchema>>;
export type AppSettingName = keyof AppSettings;

export interface SettingsProblem {
  variable: AppSettingName;
  message: string;
}

/** Every invalid variable, by name; the message never contains a value. */
export class SettingsError extends ConfigError {
  readonly problems: SettingsProblem[];

  constructor(problems: SettingsProblem[]) {
    super(
      `invalid settings: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`,
      // Named here: an installed package has no .env.example to point at (found by review).
      `Set them in the environment or in .env; the variables: ${Object.keys(appSettingsSchema.shape).join(', ')}.`,
    );
    this.problems = problems;
  }
}

export interface LoadAppSettingsOptions {
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where `.env` is looked for; defaults to the working directory. A missing file is fine. */
  cwd?: string;
}

export function loadAppSettings(options: LoadAppSettingsOptions = {}): AppSettings {
  const env = options.env ?? process.env;
  const values: Record<string, string | undefined> = { ...readDotenv(options.cwd ?? process.cwd()) };
  for (const name of Object.keys(appSettingsSchema.shape)) {
    if (env[name] !== undefined) values[name] = env[name];
  }
  return parseAppSettings(values);
}

/** Validates already-gathered values (e.g. from a secret store) into settings that cannot be changed. */
export function parseAppSettings(values: Record<string, unknown>): AppSettings {
  const parsed = appSettingsSchema.safeParse(values);
  if (!parsed.success) throw new SettingsError(problemsOf(parsed.error));
  return Object.freeze(parsed.data);
}

/** The settings as plain strings and numbers, each secret in its printed form (***): safe to log. */
export function redactedAppSettings(settings: AppSettings): Record<AppSettingName, string | number> {
  const plain = Object.entries(settings).map(([name, value]) => [name, value instanceof Secret ? value.toString() : value]);
  return Object.fromEntries(plain) as Record<AppSettingName, string | number>;
}

function problemsOf(error: z.ZodError): SettingsProblem[] {
  const byVariable = new Map<AppSettingName, string>();
  for (const issue of error.issues) {
    const name = issue.path[0] as AppSettingName;
    // One message per variable: the first thing wrong with it.
    if (!byVariable.has(name)) byVariable.set(name, issue.message);
  }
  return [...byVariable].map(([variable, message]) => ({ variable, message }));
}
