/**
 * The drain triggers: while a phased migration stands between its first expand
 * step and its contract, every write of the *old shape* — a write to a column or
 * table its contract will drop — is counted in konstruct_migration_drain, with
 * the writer's application_name, user and client address and the time.
 *
 *   INSERT that sets a dropped column     BEFORE INSERT ... WHEN (NEW.col IS NOT NULL)
 *                                         (only for a column without a default: with one,
 *                                         every insert would look like the old version's);
 *   UPDATE that names a dropped column    BEFORE UPDATE OF col (PostgreSQL fires it when the
 *                                         column is in the SET list, whatever the values);
 *   any write to a dropped table          AFTER INSERT OR UPDATE OR DELETE, once per statement.
 *
 * What it costs the application: the new version's writes only evaluate the
 * WHEN clause or are not in the column list; an old-version write adds one
 * upsert of a counter row. Two old writers that share a counter never wait
 * for each other: the upsert is guarded by pg_try_advisory_xact_lock, and
 * the one that does not get it skips counting (the other's open transaction
 * records the same writer), so `count` is a lower bound and nothing queues.
 * The engine's own transactions set konstruct_migrate.run and are not counted.
 *
 * The function is SECURITY DEFINER (the application's role needs no privilege
 * on the evidence table) with a pinned search_path. Names carry a hash of the
 * migration's name, so removal finds exactly this migration's triggers.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { ContractDrops } from './contract-drops';
import { DRAIN_TABLE, ensureDrainTable, forgetEvidenceSql } from './evidence-table';

/** classid of the counters' advisory locks: 'KDRN' (the migration lock is 'KMIG'). */
const COUNTER_LOCK_CLASS = 0x4b44524e;

export function recorderName(migration: string): string {
  return `konstruct_drain_${createHash('sha256').update(migration).digest('hex').slice(0, 12)}`;
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Starting to record takes two parts, so that the part that locks the tables
 * is one round trip: `prepareRecording` creates the evidence table and reads
 * what it needs (no lock on the application's tables), before the step's work;
 * the SQL it returns, run after the work (drain-hooks.ts), drops this
 * migration's leftover triggers and creates the function and a trigger per
 * dropped column and table. Where a dropped column has no default is decided
 * in that same SQL, after the step's work, as before.
 */
export async function prepareRecording(trx: Knex, migration: string, drops: ContractDrops): Promise<string> {
  await ensureDrainTable(trx);
  const fn = recorderName(migration);
  const schema: string = (await trx.raw('SELECT pg_catalog.current_schema() AS s')).rows[0].s;
  const drain = `${ident(schema)}.${DRAIN_TABLE}`;
  const writer = `coalesce(pg_catalog.current_setting('application_name'), ''), session_user::text, coalesce(pg_catalog.host(pg_catalog.inet_client_addr()), 'local')`;
  const statements = (await leftoverTriggers(trx, migration)).map((t) => `DROP TRIGGER ${ident(t.tgname)} ON ${ident(t.nspname)}.${ident(t.relname)}`);
  statements.push(`
    CREATE OR REPLACE FUNCTION ${ident(schema)}.${fn}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp AS $drain$
    BEGIN
      IF current_setting('konstruct_migrate.run', true) = 'on' THEN RETURN NEW; END IF;
      IF pg_try_advisory_xact_lock(${COUNTER_LOCK_CLASS}, hashtext(concat_ws('|', TG_ARGV[0], TG_ARGV[1], TG_OP, ${writer}))) THEN
        INSERT INTO ${drain} AS d (migration, source, object, detail, application_name, usename, client_addr, count, first_seen, last_seen)
        VALUES (TG_ARGV[0], 'write', TG_ARGV[1], TG_OP, ${writer}, 1, clock_timestamp(), clock_timestamp())
        ON CONFLICT (migration, source, object, detail, application_name, usename, client_addr)
        DO UPDATE SET count = d.count + 1, last_seen = excluded.last_seen;
      END IF;
      RETURN NEW;
    END $drain$`);
  const args = (object: string) => `${literal(migration)}, ${literal(object)}`;
  let n = 0;
  for (const { table, column } of drops.columns) {
    const on = `${ident(schema)}.${ident(table)}`;
    const object = `${table}.${column}`;
    statements.push(`DO $insert$ BEGIN IF NOT ${hasDefault(schema, table, column)} THEN
      CREATE TRIGGER ${fn}_${n}_insert BEFORE INSERT ON ${on} FOR EACH ROW
        WHEN (NEW.${ident(column)} IS NOT NULL) EXECUTE FUNCTION ${ident(schema)}.${fn}(${args(object)});
    END IF; END $insert$`);
    statements.push(`CREATE TRIGGER ${fn}_${n}_update BEFORE UPDATE OF ${ident(column)} ON ${on} FOR EACH ROW
      EXECUTE FUNCTION ${ident(schema)}.${fn}(${args(object)})`);
    n++;
  }
  for (const table of drops.tables) {
    statements.push(`CREATE TRIGGER ${fn}_${n++}_write AFTER INSERT OR UPDATE OR DELETE ON ${ident(schema)}.${ident(table)}
      FOR EACH STATEMENT EXECUTE FUNCTION ${ident(schema)}.${fn}(${args(table)})`);
  }
  return statements.join(';\n');
}

/** Runs what prepareRecording returned: one simple query (no bindings; knex reads `?` as one unless escaped). */
export async function startRecording(trx: Knex, sql: string): Promise<void> {
  await trx.raw(sql.replace(/\?/g, '\\?'));
}

/**
 * Drops this migration's triggers and function, and its evidence; safe to run when there are none.
 * One read, then one round trip for the drops, which lock the tables they are on.
 */
export async function stopRecording(trx: Knex, migration: string): Promise<void> {
  const statements = (await leftoverTriggers(trx, migration)).map((t) => `DROP TRIGGER ${ident(t.tgname)} ON ${ident(t.nspname)}.${ident(t.relname)}`);
  statements.push(`DROP FUNCTION IF EXISTS ${recorderName(migration)}()`, forgetEvidenceSql(migration));
  await trx.raw(statements.join(';\n').replace(/\?/g, '\\?'));
}

async function leftoverTriggers(trx: Knex, migration: string): Promise<Array<{ tgname: string; relname: string; nspname: string }>> {
  const { rows } = await trx.raw(
    `SELECT t.tgname, c.relname, n.nspname FROM pg_catalog.pg_trigger t
       JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE t.tgname LIKE ? AND NOT t.tgisinternal`,
    [`${recorderName(migration)}\\_%`],
  );
  return rows;
}

export async function isRecording(knex: Knex, migration: string): Promise<boolean> {
  const { rows } = await knex.raw(`SELECT 1 FROM pg_catalog.pg_proc WHERE proname = ? AND pronamespace = pg_catalog.current_schema()::regnamespace`, [recorderName(migration)]);
  return rows.length > 0;
}

/** True when the column has a default, evaluated where the SQL runs (after the step's work). */
function hasDefault(schema: string, table: string, column: string): string {
  return `coalesce((SELECT a.atthasdef FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = pg_catalog.to_regclass(${literal(`${ident(schema)}.${ident(table)}`)})
       AND a.attname = ${literal(column)} AND NOT a.attisdropped), false)`;
}
