/**
 * The library API: every CLI command is a function here, returning data.
 * The CLI (src/cli) is one client of it.
 */
export { openContext, type ContextOptions, type MigrationContext } from './context';
export { up, type UpOptions, type UpResult } from './commands/up';
export { down, type DownOptions, type DownResult } from './commands/down';
export { status, type StatusResult, type MigrationStatus, type MigrationState } from './commands/status';
export { verify, type VerifyOptions, type VerifyResult } from './commands/verify';
export { baseline, type BaselineOptions, type BaselineResult } from './commands/baseline';
export { dumpCatalog } from './catalog/dump-catalog';
export { readCatalog } from './catalog/read-catalog';
export { parseCatalog } from './catalog/parse-catalog';
export { diffCatalogs, type SchemaDifference } from './catalog/diff-catalog';
export type { Catalog } from './catalog/catalog';
export { KonstructMigrationSource, listLocalMigrations } from './history/local-migrations';
export { KonstructError } from './errors';
export { ExitCode } from './exit-codes';
