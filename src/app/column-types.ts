/**
 * Zod schemas for PostgreSQL column types, as node-postgres returns them by default.
 *
 * Row schemas strip unknown keys instead of rejecting them: a later migration
 * that adds a column must not break an application still running the previous
 * release (migrations deploy first). The package's own tests hold every schema's
 * keys equal to the table's columns, so the schemas cannot drift silently.
 */
// zod 4, whose schemas applications use; the CLI's configuration uses zod/v3, see src/config/config-schema.ts for why.
import { z } from 'zod';

/**
 * Any 8-4-4-4-12 hex string: PostgreSQL's uuid type accepts every such value, not
 * only RFC 9562 versions and variants (which z.uuid() would demand).
 */
export const pgUuid = z.guid();

/** character varying(n): a string of at most n characters. */
export const pgVarchar = (length: number) => z.string().max(length);
