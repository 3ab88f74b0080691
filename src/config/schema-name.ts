/**
 * --schema / KONSTRUCT_SCHEMA: the PostgreSQL schema to migrate instead of
 * `public`. It becomes the whole search_path of every connection, so the
 * migrations' unqualified names and the history tables (knex_migrations) live
 * there, and a name missing from it can never silently resolve to `public`.
 * config.ts reads it; this file says what a usable name is.
 */
import { ConfigError } from '../errors';

/** A plain identifier: no quoting needed anywhere it is used. */
export const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;
export const NOT_A_SCHEMA_NAME = '"{value}" is not a plain identifier (letters, digits, _ and $, at most 63, not starting with a digit).';

/** PostgreSQL's own schemas: pg_catalog, pg_toast, pg_temp_*, ... (the pg_ prefix is reserved) and information_schema. */
export function isSystemSchema(name: string): boolean {
  return /^pg_/i.test(name) || name.toLowerCase() === 'information_schema';
}
export const SYSTEM_SCHEMA = '"{value}" is a schema of PostgreSQL itself, where migrations do not belong.';

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
