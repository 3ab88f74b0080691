/**
 * The tables that record migrations rather than being the schema: knex's history and lock, Alembic's version, the
 * phase state, the drain evidence and the steering of backfills. The catalog leaves them out, as the specification's
 * catalogs do, and the sequences they own. Named one by one: a prefix (`knex_%`) hid an application's own table of
 * that name from `verify` (found by review).
 */
export const BOOKKEEPING_TABLES = [
  'knex_migrations', 'knex_migrations_lock', 'alembic_version',
  'konstruct_migration_phases', 'konstruct_migration_drain', 'konstruct_migration_steering',
] as const;

/** SQL: true where `relname` (a column) names one of them. */
export const isBookkeeping = (relname: string) => `${relname} IN (${BOOKKEEPING_TABLES.map((t) => `'${t}'`).join(', ')})`;
