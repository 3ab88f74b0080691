/**
 * The server settings a benchmark's numbers depend on: what an embedded server
 * is started with (BENCH_SERVER_SETTINGS) and what the results report.
 *
 * Why a run may ask for settings: PostgreSQL's defaults (shared_buffers 128 MB,
 * max_wal_size 1 GB) are a laptop's. A 10M-row backfill writes ~1.4 GB of WAL,
 * more than max_wal_size lets pass between checkpoints, so the server forces
 * checkpoints during it, and on this machine their writes stall the
 * application far more than the backfill does (docs/production-safety.md).
 * BENCH_SERVER_SETTINGS="shared_buffers=4GB,max_wal_size=16GB" measures under a
 * production server's settings instead; the results say which were in force.
 */
import type pg from 'pg';

export const SERVER_SETTINGS_VARIABLE = 'BENCH_SERVER_SETTINGS';

/** Reported with every run; the first four shape the WAL and the checkpoints. */
const REPORTED_SETTINGS = [
  'shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'wal_compression',
  'fsync', 'synchronous_commit', 'full_page_writes', 'track_commit_timestamp',
];

/** `name=value,name=value` (BENCH_SERVER_SETTINGS) as settings to start a server with; none when unset. */
export function parseServerSettings(list: string | undefined): Record<string, string> {
  if (!list?.trim()) return {};
  return Object.fromEntries(
    list.split(',').map((pair) => {
      const [name, value, extra] = pair.split('=').map((s) => s.trim());
      if (!name || !value || extra !== undefined) throw new Error(`${SERVER_SETTINGS_VARIABLE}: "${pair}" is not name=value`);
      return [name, value];
    }),
  );
}

/** The reported settings as the server has them, sizes in MB (pg_settings gives shared_buffers in 8 kB pages). */
export async function readReportedSettings(client: pg.Client): Promise<Record<string, string>> {
  const { rows } = await client.query(`SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1) ORDER BY name`, [REPORTED_SETTINGS]);
  return Object.fromEntries(rows.map((r) => [r.name, prettySetting(r.setting, r.unit)]));
}

function prettySetting(setting: string, unit: string | null): string {
  if (unit === '8kB') return `${(Number(setting) * 8) / 1024} MB`;
  return unit ? `${setting} ${unit}` : setting;
}

/** `BENCH_SERVER_SETTINGS="…" ` to put before a recorded command line, when the run was given settings. */
export function settingsPrefix(env: NodeJS.ProcessEnv = process.env): string {
  const list = env[SERVER_SETTINGS_VARIABLE]?.trim();
  return list ? `${SERVER_SETTINGS_VARIABLE}="${list}" ` : '';
}
