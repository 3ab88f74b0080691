/**
 * The library API: every CLI command is a function here, returning data.
 * The CLI (src/cli) is one client of it.
 */
export { openContext, type ContextOptions, type MigrationContext } from './context';
export { up, type UpOptions, type UpResult } from './commands/up';
export { down, type DownOptions, type DownResult } from './commands/down';
export { status, type StatusResult, type MigrationStatus, type MigrationState } from './commands/status';
export { wait, type WaitResult } from './commands/wait';
export { RUN_DEFAULTS, type RunOptions } from './engine/locked-run';
export type { StepResult } from './engine/run-step';
export type { DryRunStep } from './engine/dry-run';
export type { RecordedStatement, TableLock } from './engine/statement-recorder';
export { RefusedDestructiveError, type StepDataLoss } from './engine/data-loss';
export { dumpCatalog } from './catalog/dump-catalog';
export { KonstructMigrationSource, listLocalMigrations, type DataLoss } from './history/local-migrations';
export { KonstructError, LockTimeoutError, HistoryMismatchError, MigrationFailedError } from './errors';
export { ExitCode } from './exit-codes';
