/**
 * The CLI's exit codes: few, distinct, documented in docs/cli-output.md and `--help`.
 * A pipeline can tell "there is work pending" (3) from "something broke".
 */
export enum ExitCode {
  Ok = 0,
  /** An unexpected failure: a bug, or a case not foreseen. Run with --verbose and report it. */
  Internal = 1,
  /** Bad command line or configuration (unknown flag, malformed DATABASE_URL, unknown --to target), plain `up` of a held migration, or `steer` with nothing to steer. */
  Usage = 2,
  /** `status --check`: migrations are pending or stand part-way; `verify` of a part-way (expanded) schema. */
  Pending = 3,
  /** The database could not be reached or refused the login. */
  CannotConnect = 4,
  /**
   * Another run held the migration lock past --lock-wait, a table lock was not granted within
   * --lock-timeout by the end of --lock-budget (or --lock-retries), or the stock knex CLI's lock flag is set.
   */
  LockTimeout = 5,
  /** A migration's SQL failed (or its history row could not be written); it was rolled back. */
  MigrationFailed = 6,
  /** `down` would destroy data and was not confirmed. */
  RefusedDestructive = 7,
  /**
   * The history does not match the code: an applied migration changed, or is unknown here, or a part-way
   * migration compiles into other steps than the run that started it (also `status --check`).
   */
  HistoryMismatch = 8,
  /** `verify`: the live schema differs from what the applied migrations produce. */
  SchemaDrift = 9,
  /** `check` found, or `up` refused, a migration that would block a table at or above the size threshold, not accepted by the migration. */
  UnsafeMigration = 10,
  /** `complete`: the old application version was active within the drain window; nothing was changed. */
  DrainRefused = 11,
  /**
   * The run lost its migration lock mid-way (its session was terminated or its connection cut): its
   * transaction in progress was rolled back, what it committed before stands, and the next run carries on.
   */
  LockLost = 12,
  /** Ctrl-C (SIGINT, 128 + 2) during `up`, `down` or `complete`; one line says what stands part-way (cli/interrupt-report.ts). */
  Interrupted = 130,
  /** SIGTERM (128 + 15) during `up`, `down` or `complete`, as for Interrupted. */
  Terminated = 143,
}

export const EXIT_CODE_HELP = `Exit codes:
  0  success
  1  unexpected internal error (run with --verbose and report it)
  2  usage or configuration error
  3  migrations pending or part-way (status --check, verify)
  4  cannot connect to the database
  5  lock not acquired in time
  6  a migration failed (rolled back)
  7  destructive down refused (use --yes)
  8  history mismatch: changed or unknown migrations, or changed steps
  9  schema drift found by verify
 10  unsafe migration: found by check, refused by up
 11  complete refused: the old application version is still active (--wait, --force)
 12  migration lock lost mid-run (rolled back; run again to carry on)
130  interrupted by SIGINT (Ctrl-C) during up, down or complete
143  interrupted by SIGTERM during up, down or complete`;
