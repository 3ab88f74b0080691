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
 * .env and the embedded data folder are those of the project root (project-root.ts),
 * found from the working directory up, so any subfolder of the project works alike.
 *
 * Like psql, the PG* variables are read from the environment only, not from .env.
 * docs/configuration.md says the same for users.
 */
import path from 'node:path';
import { ConfigError } from '../errors';
import { DEFAULT_MIGRATIONS_DIR } from '../history/local-migrations';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../db/connect';
import type { LibpqSettings, SslMode } from '../db/ssl-mode';
import { defaultDataDir } from '../db/embedded-server';
import { parseUrl } from '../db/hostless-url';
import { passwordSpellingsOf } from '../db/password-spellings';
import { findProjectRoot } from './project-root';
import { configSchema, type ConfigIssue, type ConfigOutput, type ConfigValues } from './config-schema';
import { hasUnencodedCredentials, NOT_A_POSTGRES_URL, readDotenvFile, SOURCE_LABELS, type DotenvFile, type UrlSource } from './database-url';
import { setsSearchPath } from './search-path-option';
import { settingSecretsOf } from './setting-secrets';

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

export type { LibpqSettings };

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
    /** Set for the embedded server: its data folder (KONSTRUCT_PGDATA, default .konstruct/pgdata in the project root). */
    embeddedDataDir?: string;
    /**
     * Set for the embedded server when no project was found and KONSTRUCT_PGDATA is not set:
     * the folder searched from. The server is refused rather than started on an empty cluster there.
     */
    embeddedOutsideProject?: string;
  };
  /** The project root (project-root.ts): where .env and the embedded data folder are; null outside any project. */
  projectRoot: string | null;
  /** Undefined: the default search_path (public). */
  schema?: string;
  tls: TlsConfig;
  migrationsDir: string;
  timeouts: { waitSeconds: number; connectTimeoutMs: number };
  output: { verbose: boolean; quiet: boolean; json: boolean; color: boolean };
  /** CI is set: the embedded fallback is refused. */
  ci: boolean;
  /** Never printed: the password of every URL given, PGPASSWORD, INVITE_SECRET and SMTP_PASSWORD (setting-secrets.ts). */
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
    // --json reports the type, and documents ConfigError for every configuration problem.
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function loadConfig(input: ConfigInput = {}): KonstructConfig {
  const env = input.env ?? process.env;
  const cwd = input.cwd ?? process.cwd();
  const projectRoot = findProjectRoot(cwd) ?? null;
  const picked = pickValues(input, env, readDotenvFile(projectRoot ?? cwd), cwd);
  const parsed = configSchema.safeParse(picked.values);
  if (!parsed.success) {
    // One problem per setting: the first thing wrong with it.
    const firstPerSetting = parsed.error.issues.filter((issue, i, all) => all.findIndex((other) => other.path[0] === issue.path[0]) === i);
    throw new ConfigProblemsError(
      firstPerSetting.map((issue) => {
        const field = issue.path[0] as keyof ConfigValues;
        const shown = String(picked.values[field] ?? '');
        return { message: `${picked.labels[field]} ${issue.message.replaceAll('{value}', shown)}`, hint: hintFor(issue, picked) };
      }),
    );
  }
  return assemble(parsed.data, picked, input, env, { cwd, projectRoot });
}

/**
 * The issue's own hint; for a broken DATABASE_URL, the embedded server is offered
 * as a way out only where it could be used: not under CI, not for --url.
 */
function hintFor(issue: ConfigIssue, picked: Picked): string | undefined {
  const hint = (issue as { params?: { hint?: string } }).params?.hint;
  const mayUseEmbedded = issue.message === NOT_A_POSTGRES_URL && !picked.ci && (picked.source === 'env' || picked.source === 'dotenv');
  return hint && mayUseEmbedded ? `${hint.replace(/\.$/, '')}, or unset it to use the embedded PostgreSQL.` : hint;
}

export function isKonstructConfig(value: unknown): value is KonstructConfig {
  return typeof value === 'object' && value !== null && 'connection' in value && 'tls' in value && 'timeouts' in value;
}

/** The winning value of each setting, how messages name where it came from, and what decided the connection. */
interface Picked {
  values: ConfigValues;
  labels: Record<keyof ConfigValues, string>;
  source: UrlSource;
  ci: boolean;
  /** Every URL given, used or not. */
  urls: Array<string | undefined>;
  /** The service's own secrets found in the environment and .env. */
  settingSecrets: string[];
}

/** A setting's sources in precedence order, as [how messages name it, value]. */
type Candidates = Array<[string, string | undefined]>;

/** The first candidate that is set; a blank value counts as unset. */
function firstSet(candidates: Candidates): [string, string | undefined] {
  return candidates.find(([, value]) => value !== undefined && value.trim() !== '') ?? [candidates[0]![0], undefined];
}

function pickValues(input: ConfigInput, env: NodeJS.ProcessEnv, dotenvFile: DotenvFile, cwd: string): Picked {
  const dotenv = dotenvFile.values;
  // Not firstSet: an empty URL is an error, not a reason to fall through to another database.
  const urls: Array<[UrlSource, string | undefined]> = [
    ['flag', input.url],
    ['env', env.DATABASE_URL],
    ['dotenv', dotenv.DATABASE_URL],
  ];
  const [urlSource, url] = urls.find(([, value]) => value !== undefined) ?? [undefined, undefined];
  const source: UrlSource = urlSource ?? (env.PGHOST || env.PGDATABASE || env.PGUSER ? 'libpq' : 'embedded');
  const ci = isCi(env);
  // What is left of a URL cut at a # would be checked (or used) as if whole.
  const cutInDotenv = urlSource === 'dotenv' && dotenvFile.cutAtHash.has('DATABASE_URL');

  const [schemaLabel, schema] = firstSet([
    ['--schema', input.schema],
    ['KONSTRUCT_SCHEMA', env.KONSTRUCT_SCHEMA],
    ['KONSTRUCT_SCHEMA in .env', dotenv.KONSTRUCT_SCHEMA],
  ]);
  const params = searchParamsOf(url);
  const tlsFile = (name: string) => firstSet([[`${name} in the URL`, params?.get(name) ?? undefined], [`PG${name.toUpperCase()}`, env[`PG${name.toUpperCase()}`]]]);
  const [sslmodeLabel, sslmode] = sslModeSetting(params, env);
  // node-postgres reads PGOPTIONS when the URL has no options.
  const [optionsLabel, options] = firstSet([['options in the URL', params?.get('options') ?? undefined], ['PGOPTIONS', env.PGOPTIONS]]);
  const [rootCertLabel, sslrootcert] = tlsFile('sslrootcert');
  const [certLabel, sslcert] = tlsFile('sslcert');
  const [keyLabel, sslkey] = tlsFile('sslkey');
  const [migrationsLabel, migrationsDir] = firstSet([
    ['the migrations folder', input.migrationsDir && path.resolve(cwd, input.migrationsDir)],
    ['KONSTRUCT_MIGRATIONS_DIR', migrationsDirFromEnv(env, cwd)],
    ['the packaged migrations folder', DEFAULT_MIGRATIONS_DIR],
  ]);

  const values: ConfigValues = {
    url: cutInDotenv ? undefined : url,
    dotenvUrlCutAtHash: cutInDotenv,
    embeddedUnderCi: source === 'embedded' && ci,
    pgport: source === 'libpq' ? firstSet([['PGPORT', env.PGPORT]])[1] : undefined,
    schema,
    searchPathInOptions: setsSearchPath(options),
    sslmode,
    sslrootcert,
    sslcert,
    sslkey,
    migrationsDir: migrationsDir!,
    waitSeconds: input.waitSeconds ?? 0,
    connectTimeoutMs: input.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
  };
  const labels: Record<keyof ConfigValues, string> = {
    url: SOURCE_LABELS[urlSource ?? 'env'],
    dotenvUrlCutAtHash: 'DATABASE_URL in .env',
    embeddedUnderCi: 'DATABASE_URL',
    pgport: 'PGPORT',
    schema: schemaLabel,
    searchPathInOptions: optionsLabel,
    sslmode: sslmodeLabel,
    sslrootcert: rootCertLabel,
    sslcert: certLabel,
    sslkey: keyLabel,
    migrationsDir: migrationsLabel,
    waitSeconds: '--wait',
    connectTimeoutMs: '--connect-timeout',
  };
  return { values, labels, source, ci, urls: urls.map(([, value]) => value), settingSecrets: settingSecretsOf(env, dotenv) };
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
  picked: Picked,
  input: ConfigInput,
  env: NodeJS.ProcessEnv,
  { cwd, projectRoot }: { cwd: string; projectRoot: string | null },
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
      ...(source === 'embedded' ? { embeddedDataDir: defaultDataDir(projectRoot ?? cwd, env) } : {}),
      ...(source === 'embedded' && projectRoot === null && !env.KONSTRUCT_PGDATA ? { embeddedOutsideProject: cwd } : {}),
    },
    projectRoot,
    schema: values.schema,
    tls: { mode: values.sslmode, rootCert: values.sslrootcert, cert: values.sslcert, key: values.sslkey },
    migrationsDir: values.migrationsDir,
    timeouts: { waitSeconds: values.waitSeconds, connectTimeoutMs: values.connectTimeoutMs },
    output: { verbose: Boolean(input.verbose), quiet: Boolean(input.quiet), json: Boolean(input.json), color: input.color !== false },
    ci: picked.ci,
    // Every URL given, not only the one used: none of them may be printed.
    // (A URL whose password is not percent-encoded has no password to find: its parts would be wrong.)
    secrets: [
      ...picked.urls.flatMap((url) => (url && !hasUnencodedCredentials(url) ? passwordSpellingsOf(url) : [])),
      env.PGPASSWORD,
      ...picked.settingSecrets,
    ].filter((s): s is string => Boolean(s)),
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
  return url ? parseUrl(url.trim())?.searchParams : undefined;
}

function isCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}
