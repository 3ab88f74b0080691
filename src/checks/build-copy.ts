/**
 * The throwaway copy's starting point, the schema as it stands before the
 * pending migrations: read from the target's catalog when `check` can reach
 * it, else built by running the migrations recorded as applied. Either way
 * it has no rows: the sizes come from statistics (table-sizes.ts).
 */
import type { Knex } from 'knex';
import { PUBLIC_GRANTEE } from '../catalog/catalog';
import { readCatalog } from '../catalog/read-catalog';
import { renderCatalog } from '../catalog/render-catalog';
import { quoteIdent } from '../catalog/sql-text';
import type { LocalMigration } from '../history/local-migrations';
import { runOffline } from '../engine/knex-migration-source';
import { loadMigration } from '../model/load-migration';

export type CopySource = { kind: 'catalog'; target: Knex } | { kind: 'migrations'; applied: LocalMigration[] };

export async function buildCopy(copy: Knex, schema: string, source: CopySource): Promise<void> {
  if (schema !== 'public') await copy.raw(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  if (source.kind === 'catalog') {
    const catalog = await readCatalog(source.target, { schema });
    const roles = new Set([...catalog.tables.map((t) => t.owner), ...catalog.grants.map((g) => g.grantee)]);
    for (const role of roles) {
      if (role === null || role === PUBLIC_GRANTEE) continue;
      // Owners and grantees of the target, so that OWNER TO and GRANT read as there; they cannot log in.
      await copy.raw(`DO $$ BEGIN CREATE ROLE ${quoteIdent(role)} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    }
    await copy.raw(renderCatalog(catalog));
    return;
  }
  for (const migration of source.applied) {
    const loaded = await loadMigration(migration);
    if (loaded.knexConfig?.transaction === false) await runOffline(copy, loaded, 'up');
    else await copy.transaction((trx) => runOffline(trx, loaded, 'up'));
  }
}
