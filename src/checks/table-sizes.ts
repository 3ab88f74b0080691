/**
 * How big each table is, to judge a finding by: read from the target's
 * statistics when `check` can reach it, or from the sizes recorded in the
 * repository (schema/table-sizes.json) for a CI job with no production access.
 * `konstruct-migrate check --record-sizes` writes that file from the target.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Knex } from 'knex';
// zod/v3, as the CLI's configuration: zod 4 would come into the CLI's bundle again (src/config/config-schema.ts says why).
import { z } from 'zod/v3';
import { ConfigError } from '../errors';
import { DEFAULT_SIZES_FILE } from './check-defaults';

export interface TableSize {
  /** Rows: pg_class.reltuples (as of the last ANALYZE or VACUUM), else pg_stat_user_tables.n_live_tup for a table never analyzed. */
  rows: number;
  /** Heap, indexes and TOAST: pg_total_relation_size. */
  bytes: number;
}

export { DEFAULT_SIZES_FILE };

const RecordedSizes = z.object({
  recordedAt: z.string(),
  /** The migrations applied where the sizes were read: the copy is built from them. */
  applied: z.array(z.string()),
  tables: z.record(z.string(), z.object({ rows: z.number().nonnegative(), bytes: z.number().nonnegative() })),
});
export type RecordedSizes = z.infer<typeof RecordedSizes>;

export async function readTargetSizes(knex: Knex, schema: string): Promise<Record<string, TableSize>> {
  const { rows } = await knex.raw(
    `SELECT c.relname AS name,
            (CASE WHEN c.reltuples >= 0 THEN c.reltuples ELSE COALESCE(s.n_live_tup, 0) END)::float8 AS rows,
            pg_total_relation_size(c.oid)::float8 AS bytes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
      WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'm')`,
    [schema],
  );
  return Object.fromEntries((rows as Array<{ name: string; rows: number; bytes: number }>).map((r) => [r.name, { rows: r.rows, bytes: r.bytes }]));
}

export function readRecordedSizes(file: string): RecordedSizes {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`no recorded table sizes in ${file}`, 'Record them from the production database: konstruct-migrate check --record-sizes (see docs/checking-migrations.md).');
  }
  let parsed: ReturnType<typeof RecordedSizes.safeParse> | undefined;
  try {
    parsed = RecordedSizes.safeParse(JSON.parse(text));
  } catch {
    /* not JSON: reported below */
  }
  if (!parsed?.success) throw new ConfigError(`${file} is not a table-sizes file (recordedAt, applied, tables)`, 'Record it again: konstruct-migrate check --record-sizes.');
  return parsed.data;
}

export function writeRecordedSizes(file: string, sizes: RecordedSizes): void {
  writeFileSync(file, `${JSON.stringify(sizes, null, 2)}\n`);
}
