/**
 * A live schema rendered exactly like `pg_dump --schema-only` (see
 * render-catalog.ts). It needs no pg_dump binary and no particular server
 * version, so tests can compare a live database line by line with
 * spec/target-catalog-after-006.sql.
 */
import type { Knex } from 'knex';
import { readCatalog, type CatalogOptions } from './read-catalog';
import { renderCatalog } from './render-catalog';

export type { CatalogOptions } from './read-catalog';

/** The catalog as pg_dump would print it, without its comment and SET lines. */
export async function dumpCatalog(knex: Knex, options: CatalogOptions = {}): Promise<string> {
  return renderCatalog(await readCatalog(knex, options));
}
