/**
 * A primary and a streaming hot standby on localhost, both its own: for the
 * health throttle's tests (issue #22 item 3). The primary is a throwaway
 * embedded cluster (throwaway-server.ts; WAL level `replica`, the default); the
 * standby is attached to it by attach-standby.ts, which the benchmark's
 * replica-lag scenario uses on its own server.
 */
import { attachStandby, connectKnex, type Standby } from './attach-standby';
import { startThrowawayServer } from './throwaway-server';

export { standbyToolsMissing } from './attach-standby';

export interface StreamingStandby extends Omit<Standby, 'stop'> {
  /** Superuser URL of the primary's `postgres` database. */
  primaryUrl: string;
  /** Stops the standby, then the primary, and removes both data folders. */
  stop(): Promise<void>;
}

/** Starts the primary and its standby, and resolves once the standby streams. */
export interface StreamingStandbyOptions {
  /** Part of the data folders' names. */
  label: string;
  /** The primary's settings, on its command line (e.g. `archive_mode`, which only a restart changes). */
  settings?: Record<string, string>;
  /**
   * The primary's settings set with ALTER SYSTEM before the base backup: a test can change these
   * later (ALTER SYSTEM and pg_reload_conf()), which the command line's would override.
   */
  alterSystem?: Record<string, string>;
  /** The standby's settings, on its command line. */
  standbySettings?: Record<string, string>;
}

export async function startStreamingStandby(options: StreamingStandbyOptions): Promise<StreamingStandby> {
  const primary = await startThrowawayServer({ label: `${options.label}-primary`, settings: { fsync: 'off', wal_level: 'replica', ...options.settings } });
  try {
    const knex = connectKnex(primary.url);
    try {
      // attachStandby reloads the configuration, which applies these.
      for (const [name, value] of Object.entries(options.alterSystem ?? {})) await knex.raw(`ALTER SYSTEM SET ${name} = '${value.replace(/'/g, "''")}'`);
    } finally {
      await knex.destroy();
    }
    const standby = await attachStandby(primary, options.label, options.standbySettings);
    return {
      ...standby,
      primaryUrl: primary.url,
      stop: async () => {
        await standby.stop();
        await primary.stop();
      },
    };
  } catch (error) {
    await primary.stop();
    throw error;
  }
}
