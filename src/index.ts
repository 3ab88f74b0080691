/**
 * The library API: every CLI command is a function here, returning data.
 * The CLI (src/cli) is one client of it.
 */
export { openContext, type ContextOptions, type MigrationContext } from './context';
export { up, type UpOptions, type UpResult } from './commands/up';
export { down, type DownOptions, type DownResult } from './commands/down';
export { status, type StatusResult, type MigrationStatus, type MigrationState } from './commands/status';
export { newMigration, type NewMigrationOptions, type NewMigrationResult } from './commands/new-migration';
export type { StepEvent, StepListener } from './engine/step-events';
export type { StepResult } from './engine/run-step';
export { dumpCatalog } from './catalog/dump-catalog';
export { KonstructMigrationSource, listLocalMigrations } from './history/local-migrations';
export { KonstructError } from './errors';
export { ExitCode } from './exit-codes';
