/** `wait`: succeed once the database accepts connections (the waiting itself is done by openContext, see --wait). */
import type { MigrationContext } from '../context';

export interface WaitResult {
  waitedMs: number;
  serverVersion: string;
}

export async function wait(ctx: MigrationContext): Promise<WaitResult> {
  const { rows } = await ctx.knex.raw(`SELECT current_setting('server_version') AS version`);
  return { waitedMs: ctx.waitedMs, serverVersion: rows[0].version };
}
