/**
 * The defaults and limits of the run options, apart from the code that uses them: the CLI's
 * option definitions show them in --help, which must not load the engine.
 */

/** Defaults of --max-replica-lag (seconds) and --max-archive-backlog (segments). */
export const HEALTH_DEFAULTS = { maxReplicaLag: 1, maxArchiveBacklog: 16 } as const;

export const RUN_DEFAULTS = { lockWait: 60, lockTimeout: 0.5, lockBudget: 300, statementTimeout: 0, batchSize: 25_000, batchTime: 50, batchPause: 0, ...HEALTH_DEFAULTS } as const;

/** The largest lock_timeout and statement_timeout PostgreSQL accepts: INT_MAX milliseconds (about 24.8 days). */
export const MAX_TIMEOUT_SECONDS = 2_147_483.647;
