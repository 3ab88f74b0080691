/**
 * The one configuration of a run, read once from flags (or the library's
 * options), the environment, ./.env and the libpq (PG*) variables, and checked
 * by one zod schema that reports every problem at once. Commands, the knexfile
 * and the library are given this object; nothing else reads those sources.
 *
 *   setting          first of
 *   connection       --url, DATABASE_URL (environment), DATABASE_URL (.env),
 *                    PGHOST/PGDATABASE/PGUSER (environment), the embedded server
 *                    (refused when CI is set)
 *   schema           --schema, KONSTRUCT_SCHEMA (environment), KONSTRUCT_SCHEMA (.env), public
 *   TLS mode         sslmode (or ssl) in the URL, PGSSLMODE (environment), prefer
 *   TLS files        sslrootcert/sslcert/sslkey in the URL, PGSSLROOTCERT/... (environment)
 *   migrations       the library's migrationsDir, KONSTRUCT_MIGRATIONS_DIR (environment), the packaged ones
 *   timeouts         --wait (0), --connect-timeout (10 s)
 *
 * Like psql, the PG* variables are read from the environment only, not from .env.
 * docs/configuration.md says the same for users.
 */
import path from 'node:path';
import { ConfigError } from '../errors';
import { DEFAULT_MIGRATIONS_DIR } from '../history/local-migrations';
import type { SslMode } from '../db/ssl-mode';
import { defaultDataDir } from '../db/embedded-server';
import { passwordOf } from '../db/redact';
import { configSchema, type ConfigIssue, type ConfigOutput, type ConfigValues } from './config-schema';
import { hasUnencodedCredentials, NOT_A_POSTGRES_URL, readDotenvFile, SOURCE_LABELS, type DotenvFile, type UrlSource } from './database-url';

/** What the configuration is read from; every field is optional. */
export interface ConfigInput {
  /** --url: wins over DATABASE_URL. */
  url?: string;
  /** --schema: wins over KONSTRUCT_SCHEMA. */
  schema?: string;
  /** Wins over KONSTRUCT_MIGRATIONS_DIR. */
  migrationsDir?: string;
  /** --wait: keep trying this many seconds while the server does not accept connections yet (default 0). */
  waitSeconds?: number;
  /** --connect-timeout: give up one connection attempt after this long (default 10 s). */
  connectTimeoutMs?: number;
  verbose?: boolean;
  quiet?: boolean;
  json?: boolean;
  /** False with --no-color. */
  color?: boolean;
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where .env is read and relative folders start; defaults to the working directory. */
  cwd?: string;
}

export interface LibpqSettings {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
}

export interface TlsConfig {
  mode: SslMode;
  /** Certificate files (paths), checked readable. */
  rootCert?: string;
  cert?: string;
  key?: string;
}

export interface KonstructConfig {
  connection: {
    source: UrlSource;
    /** How hints name the source: --url, DATABASE_URL, DATABASE_URL in .env, the PG* variables, the embedded PostgreSQL. */
    label: string;
    /** Set for --url and DATABASE_URL. */
    url?: string;
    /** Set for the PG* variables. */
    libpq?: LibpqSettings;
    /** Set for the embedded server: its data folder (KONSTRUCT_PGDATA, default ./.konstruct/pgdata). */
    embeddedDataDir?: string;
  };
  /** Undefined: the default search_path (public). */
  schema?: string;
  tls: TlsConfig;
  migrationsDir: string;
  timeouts: { waitSeconds: number; connectTimeoutMs: number };
  output: { verbose: boolean; quiet: boolean; json: boolean; color: boolean };
  /** CI is set: the embedded fallback is refused. */
  ci: boolean;
  /** Never printed: the password of every URL given and PGPASSWORD. */
  secrets: string[];
}

export interface ConfigProblem {
  message: string;
  hint?: string;
}

/** Every configuration problem of a run, reported together (exit 2). */
export class ConfigProblemsError extends ConfigError {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    const [only] = problems;
    super(
      problems.length === 1 ? only!.message : [`${problems.length} configuration problems:`, ...problems.map((p) => `  ${p.message}`)].join('\n'),
      problems.length === 1 ? only!.hint : 'Fix them and run again (docs/configuration.md lists every setting and where it is read).',
    );
    this.problems = problems;
  }
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export function loadConfig(input: ConfigInput = {}): KonstructConfig {
  const env = input.env ?? process.env;
  const cwd = input.cwd ?? process.cwd();
  const picked = pickValues(input, env, readDotenvFile(cwd), cwd);
  const parsed = configSchema.safeParse(picked.values);
  if (!parsed.success) {
    throw new ConfigProblemsError(
      parsed.error.issues.map((issue) => {
        const field = issue.path[0] as keyof ConfigValues;
        const shown = String(picked.values[field] ?? '');
        return { message: `${picked.labels[field]} ${issue.message.replaceAll('{value}', shown)}`, hint: hintFor(issue, picked) };
      }),
    );
  }
  return assemble(parsed.data, picked, input, env, cwd);
}

/**
 * The issue's own hint; for a broken DATABASE_URL, the embedded server is offered
 * as a way out only where it could be used: not under CI, not for --url.
 */
function hintFor(issue: ConfigIssue, picked: ReturnType<typeof pickValues>): string | undefined {
  const hint = (issue as { params?: { hint?: string } }).params?.hint;
  const mayUseEmbedded = issue.message === NOT_A_POSTGRES_URL && !picked.ci && (picked.source === 'env' || picked.source === 'dotenv');
  return hint && mayUseEmbedded ? `${hint.replace(/\.$/, '')}, or unset it to use the embedded PostgreSQL.` : hint;
}

export function isKonstructConfig(value: unknown): value is KonstructConfig {
  return typeof value === 'object' && value !== null && 'connection' in value && 'tls' in value && 'timeouts' in value;
}

/** The winning value of each setting, by precedence, and how messages name where it came from. */
function pickValues(input: ConfigInput, env: NodeJS.ProcessEnv, dotenvFile: DotenvFile, cwd: string) {
  const dotenv = dotenvFile.values;
  const set = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value);
  const candidates: Array<[UrlSource, string | undefined]> = [
    ['flag', input.url],
    ['env', env.DATABASE_URL],
    ['dotenv', dotenv.DATABASE_URL],
  ];
  const [urlSource, url] = candidates.find(([, value]) => value !== undefined) ?? [undefined, undefined];
  const libpqSet = Boolean(env.PGHOST || env.PGDATABASE || env.PGUSER);
  const source: UrlSource = urlSource ?? (libpqSet ? 'libpq' : 'embedded');
  const ci = isCi(env);

  const schemaSources: Array<[string, string | undefined]> = [
    ['--schema', set(input.schema)],
    ['KONSTRUCT_SCHEMA', set(env.KONSTRUCT_SCHEMA)],
    ['KONSTRUCT_SCHEMA in .env', set(dotenv.KONSTRUCT_SCHEMA)],
  ];
  const [schemaLabel, schema] = schemaSources.find(([, value]) => value !== undefined) ?? ['--schema', undefined];

  const urlParams = searchParamsOf(url);
  const tlsSetting = (name: string): [string, string | undefined] =>
    urlParams?.get(name) != null ? [`${name} in the URL`, urlParams.get(name)!] : [`PG${name.toUpperCase()}`, set(env[`PG${name.toUpperCase()}`])];
  const [sslmodeLabel, sslmode] = sslModeSetting(urlParams, env);
  const [rootCertLabel, sslrootcert] = tlsSetting('sslrootcert');
  const [certLabel, sslcert] = tlsSetting('sslcert');
  const [keyLabel, sslkey] = tlsSetting('sslkey');

  const fromEnv = migrationsDirFromEnv(env, cwd);
  // What is left of a URL cut at a # would be checked (or used) as if whole.
  const cutInDotenv = urlSource === 'dotenv' && dotenvFile.cutAtHash.has('DATABASE_URL');
  const values: ConfigValues = {
    url: cutInDotenv ? undefined : url,
    dotenvUrlCutAtHash: cutInDotenv,
    embeddedUnderCi: source === 'embedded' && ci,
    pgport: source === 'libpq' ? set(env.PGPORT) : undefined,
    schema,
    sslmode,
    sslrootcert,
    sslcert,
    sslkey,
    migrationsDir: input.migrationsDir ? path.resolve(cwd, input.migrationsDir) : (fromEnv ?? DEFAULT_MIGRATIONS_DIR),
    waitSeconds: input.waitSeconds ?? 0,
    connectTimeoutMs: input.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
  };
  const labels: Record<keyof ConfigValues, string> = {
    url: SOURCE_LABELS[urlSource ?? 'env'],
    dotenvUrlCutAtHash: 'DATABASE_URL in .env',
    embeddedUnderCi: 'DATABASE_URL',
    pgport: 'PGPORT',
    schema: schemaLabel,
    sslmode: sslmodeLabel,
    sslrootcert: rootCertLabel,
    sslcert: certLabel,
    sslkey: keyLabel,
    migrationsDir: input.migrationsDir ? 'the migrations folder' : fromEnv ? 'KONSTRUCT_MIGRATIONS_DIR' : 'the packaged migrations folder',
    waitSeconds: '--wait',
    connectTimeoutMs: '--connect-timeout',
  };
  return { values, labels, source, ci, candidates };
}

/** node-postgres's own `ssl=true` means a verified connection; PGSSLMODE applies when the URL says nothing. */
function sslModeSetting(params: URLSearchParams | undefined, env: NodeJS.ProcessEnv): [string, string | undefined] {
  const sslmode = params?.get('sslmode');
  if (sslmode != null) return ['sslmode in the URL', sslmode];
  const ssl = params?.get('ssl');
  if (ssl === 'true' || ssl === '1') return ['ssl in the URL', 'verify-full'];
  if (ssl === 'false' || ssl === '0') return ['ssl in the URL', 'disable'];
  return ['PGSSLMODE', env.PGSSLMODE || undefined];
}

function assemble(
  values: ConfigOutput,
  picked: ReturnType<typeof pickValues>,
  input: ConfigInput,
  env: NodeJS.ProcessEnv,
  cwd: string,
): KonstructConfig {
  const { source } = picked;
  const libpq: LibpqSettings | undefined =
    source === 'libpq'
      ? { host: env.PGHOST, port: values.pgport, user: env.PGUSER, password: env.PGPASSWORD, database: env.PGDATABASE }
      : undefined;
  return {
    connection: {
      source,
      label: SOURCE_LABELS[source],
      ...(values.url !== undefined ? { url: values.url } : {}),
      ...(libpq ? { libpq } : {}),
      ...(source === 'embedded' ? { embeddedDataDir: defaultDataDir(cwd, env) } : {}),
    },
    schema: values.schema,
    tls: { mode: values.sslmode, rootCert: values.sslrootcert, cert: values.sslcert, key: values.sslkey },
    migrationsDir: values.migrationsDir,
    timeouts: { waitSeconds: values.waitSeconds, connectTimeoutMs: values.connectTimeoutMs },
    output: { verbose: Boolean(input.verbose), quiet: Boolean(input.quiet), json: Boolean(input.json), color: input.color !== false },
    ci: picked.ci,
    // Every URL given, not only the one used: none of them may be printed.
    // (A URL whose password is not percent-encoded has no password to find: its parts would be wrong.)
    secrets: [...picked.candidates.map(([, url]) => (url && !hasUnencodedCredentials(url) ? passwordOf(url) : undefined)), env.PGPASSWORD].filter(
      (s): s is string => Boolean(s),
    ),
  };
}

/**
 * KONSTRUCT_MIGRATIONS_DIR (relative to the working directory) replaces the
 * migrations shipped beside the code, e.g. to run a copy of them in tests.
 */
export function migrationsDirFromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  const dir = env.KONSTRUCT_MIGRATIONS_DIR?.trim();
  return dir ? path.resolve(cwd, dir) : undefined;
}

function searchParamsOf(url: string | undefined): URLSearchParams | undefined {
  if (!url) return undefined;
  try {
    return new URL(url.trim()).searchParams;
  } catch {
    return undefined;
  }
}

function isCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}
