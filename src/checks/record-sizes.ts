/** `check --record-sizes`: the target's table sizes and applied migrations, written to the repository for CI jobs without production access. */
import path from 'node:path';
import type { MigrationContext } from '../context';
import { targetHistory, targetSchema } from './target-facts';
import { readTargetSizes, writeRecordedSizes } from './table-sizes';

export async function recordSizes(ctx: MigrationContext, file: string): Promise<{ file: string; tables: number; applied: number }> {
  const schema = await targetSchema(ctx);
  const history = await targetHistory(ctx);
  const tables = await readTargetSizes(ctx.knex, schema);
  delete tables.knex_migrations;
  delete tables.knex_migrations_lock;
  writeRecordedSizes(file, { recordedAt: new Date().toISOString(), applied: history.map((h) => h.name), tables });
  return { file: path.relative(process.cwd(), path.resolve(file)), tables: Object.keys(tables).length, applied: history.length };
}
