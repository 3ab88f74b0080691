/**
 * --schema / KONSTRUCT_SCHEMA: the PostgreSQL schema to migrate instead of
 * `public`. It becomes the whole search_path of every connection, so the
 * migrations' unqualified names and the history tables (knex_migrations) live
 * there, and a name missing from it can never silently resolve to `public`.
 */
import { z } from 'zod/v3'; // the light API on the start-up path: see database-url.ts
import { ConfigError } from '../errors';
import { readDotenv } from './database-url';

const schemaName = z
  .string()
  .trim()
  .regex(/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/, 'is not a plain identifier (letters, digits, _ and $, at most 63, not starting with a digit)');

export interface SchemaOptions {
  flagSchema?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Undefined means the default search_path (normally `public`). Precedence: --schema > environment > .env. */
export function resolveSchema(options: SchemaOptions = {}): string | undefined {
  const env = options.env ?? process.env;
  const candidates: Array<[string | undefined, string]> = [
    [options.flagSchema, '--schema'],
    [env.KONSTRUCT_SCHEMA, 'KONSTRUCT_SCHEMA'],
    [readDotenv(options.cwd ?? process.cwd()).KONSTRUCT_SCHEMA, 'KONSTRUCT_SCHEMA in .env'],
  ];
  for (const [value, label] of candidates) {
    if (value === undefined || value.trim() === '') continue;
    const parsed = schemaName.safeParse(value);
    if (!parsed.success) throw new ConfigError(`${label} "${value}" ${parsed.error.issues[0]?.message}.`);
    return parsed.data;
  }
  return undefined;
}

/**
 * verify and baseline compare with the snapshots in schema/, which describe
 * `public` with schema-qualified names; rather than give a wrong answer for
 * another schema, they refuse it.
 */
export function assertPublicSchema(schema: string | undefined, command: string): void {
  if (schema === undefined || schema === 'public') return;
  throw new ConfigError(
    `${command} checks the public schema only, not "${schema}".`,
    'The expected schemas in schema/ describe public; run it without --schema / KONSTRUCT_SCHEMA against a database migrated in public.',
  );
}
