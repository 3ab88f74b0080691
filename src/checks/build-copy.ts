/**
 * The throwaway copy's starting point, the schema as it stands before the
 * pending migrations: read from the target's catalog when `check` can reach
 * it, else built by running the migrations recorded as applied. Either way
 * it has no rows: the sizes come from statistics (table-sizes.ts).
 */
import type { Knex } from 'knex';
import { readCatalog } from '../catalog/read-catalog';
import { renderCatalog } from '../catalog/render-catalog';
import { quoteIdent, quoteLiteral } from '../catalog/sql-text';
import type { LocalMigration } from '../history/local-migrations';
import type { PhaseState } from '../history/phase-state';
import { isRecording, stopRecording } from '../drain/write-recorder';
import { runOffline } from '../engine/knex-migration-source';
import { loadMigration } from '../model/load-migration';

/**
 * From the target's catalog, `partWay` says how far each migration standing part-way got there: its steps done are
 * in the catalog copied, so the copy runs only what `up` would run from that point (observed-run.ts).
 */
export type CopySource = { kind: 'catalog'; target: Knex; partWay: readonly PhaseState[] } | { kind: 'migrations'; applied: LocalMigration[] };

export async function buildCopy(copy: Knex, schema: string, source: CopySource): Promise<void> {
  if (schema !== 'public') await copy.raw(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  if (source.kind === 'catalog') {
    const catalog = await readCatalog(source.target, { schema });
    await copyRoles(source.target, copy);
    // As pg_dump's output does: a function's body may name a table created after it (its types come after them).
    await copy.raw('SET check_function_bodies = off');
    await copy.raw(renderCatalog(catalog));
    await copy.raw('RESET check_function_bodies');
    // The migrations run on the copy's one connection in the target's time zone, as `up`'s sessions do there: whether
    // a type change rewrites can depend on it (timestamptz to timestamp is catalog-only in UTC alone).
    const { rows: [{ zone }] } = await source.target.raw(`SELECT pg_catalog.current_setting('TimeZone') AS zone`);
    await copy.raw(`SELECT pg_catalog.set_config('TimeZone', ?, false)`, [zone]);
    // A part-way migration's drain triggers (src/drain/) are the tool's instruments, not schema: the real run drops
    // them in its contract step's transaction (drain-hooks.ts). The copy's run leaves the drain out, as it does for a
    // migration it runs from the start, so they go here, before its contract drops what they name.
    for (const { name } of source.partWay) if (await isRecording(copy, name)) await stopRecording(copy, name);
    return;
  }
  for (const migration of source.applied) {
    const loaded = await loadMigration(migration);
    if (loaded.knexConfig?.transaction === false) await runOffline(copy, loaded, 'up');
    else await copy.transaction((trx) => runOffline(trx, loaded, 'up'));
  }
}

/**
 * The target's roles (not PostgreSQL's predefined pg_* ones), so that every OWNER TO, GRANT and a policy's TO reads
 * as there: owners of views, types and sequences and a policy's roles as much as a table's owner and grantees. They
 * cannot log in; one statement for them all, however many the target has.
 */
async function copyRoles(target: Knex, copy: Knex): Promise<void> {
  const { rows } = await target.raw(`SELECT rolname FROM pg_catalog.pg_roles WHERE rolname !~ '^pg_' ORDER BY rolname`);
  if (rows.length === 0) return;
  const names = rows.map((r: { rolname: string }) => quoteLiteral(r.rolname)).join(', ');
  await copy.raw(`DO $roles$ DECLARE r text; BEGIN
    FOREACH r IN ARRAY ARRAY[${names}]::text[] LOOP
      IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN EXECUTE format('CREATE ROLE %I NOLOGIN', r); END IF;
    END LOOP; END $roles$`);
}
