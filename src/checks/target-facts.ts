/** What `check` reads from the target (read-only): its schema and the migrations it has applied. */
import type { MigrationContext } from '../context';
import { whichExist } from '../db/relation-exists';
import { readHistory, type AppliedMigration } from '../history/history-table';

/** --schema, else the connection's current schema. */
export async function targetSchema(ctx: MigrationContext): Promise<string> {
  return ctx.schema ?? (await ctx.knex.raw('SELECT current_schema() AS s')).rows[0].s;
}

/** The history, or none on a database that never ran a migration (nothing is created to find out). */
export async function targetHistory(ctx: MigrationContext): Promise<AppliedMigration[]> {
  return (await whichExist(ctx.knex, [{ table: 'knex_migrations' }]))[0] ? readHistory(ctx.knex) : [];
}
