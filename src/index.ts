/**
 * The library API: every CLI command is a function here, returning data.
 * The CLI (src/cli) is one client of it.
 */
export { openContext, type ContextOptions, type MigrationContext } from './context';
export { loadConfig, ConfigProblemsError, type ConfigInput, type KonstructConfig, type ConfigProblem } from './config/config';
export { up, type UpOptions, type UpResult } from './commands/up';
export { down, type DownOptions, type DownResult } from './commands/down';
export { complete, type CompleteOptions } from './commands/complete';
export type { PhasedStep, TransactionStep, BatchedStep, BatchFunction, BatchResult, PhaseName } from './phased/phased-migration';
export type { Operation } from './operations';
export { status, type StatusResult, type MigrationStatus, type MigrationState, type PartWayStatus } from './commands/status';
export { steer, type SteerOptions, type SteerResult } from './commands/steer';
export type { Steering, SteeredBy } from './history/steering-table';
export { wait, type WaitResult } from './commands/wait';
export { newMigration, type NewMigrationOptions, type NewMigrationResult } from './commands/new-migration';
export { verify, type VerifyOptions, type VerifyResult } from './commands/verify';
export { baseline, type BaselineOptions, type BaselineResult } from './commands/baseline';
export { check, type CheckOptions, type CheckResult } from './commands/check';
export { recordSizes } from './checks/record-sizes';
export { RUN_DEFAULTS, type RunOptions } from './engine/locked-run';
export type { StepEvent, StepListener } from './engine/step-events';
export type { StepResult } from './engine/step-result';
export type { DryRunStep } from './engine/dry-run';
export type { RecordedStatement, TableLock } from './engine/statement-recorder';
export { RefusedDestructiveError, type StepDataLoss } from './engine/data-loss';
export { dumpCatalog } from './catalog/dump-catalog';
export { readCatalog } from './catalog/read-catalog';
export { parseCatalog } from './catalog/parse-catalog';
export { diffCatalogs, type SchemaDifference } from './catalog/diff-catalog';
export type { Catalog } from './catalog/catalog';
export { listLocalMigrations } from './history/local-migrations';
export { KonstructMigrationSource } from './engine/knex-migration-source';
export type { DataLoss } from './model/migration-module';
export { KonstructError, ConfigError, LockTimeoutError, LockLostError, HistoryMismatchError, MigrationFailedError } from './errors';
export { ExitCode } from './exit-codes';

// For the services that use this schema (revision 006): roles, rows, settings, invitations.
export { UserRole, TenantRole, DEFAULT_USER_ROLE, userRoleSchema, tenantRoleSchema } from './app/user-role';
export {
  portalUserSchema, newPortalUserSchema, type PortalUser, type NewPortalUser, type NewPortalUserInput,
} from './app/portal-user';
export { userTenantRoleSchema, type UserTenantRole } from './app/user-tenant-role';
export {
  InvitationStatus, invitationStatusSchema, portalInvitationSchema, newPortalInvitationSchema,
  type PortalInvitation, type NewPortalInvitation, type NewPortalInvitationInput,
} from './app/portal-invitation';
export {
  appSettingsSchema, loadAppSettings, parseAppSettings, redactedAppSettings, SettingsError, DEFAULT_SMTP_PORT,
  type AppSettings, type AppSettingName, type SettingsProblem, type LoadAppSettingsOptions,
} from './app/app-settings';
export { Secret, revealed } from './app/secret';
export {
  createInvitationToken, hashInvitationToken, isAuthenticInvitationToken, assertInviteSecret,
  MIN_INVITE_SECRET_BYTES, INVITATION_TTL_MS, type InvitationToken, type InviteSecret,
} from './app/invitation-token';
export {
  createInvitation, verifyInvitation, acceptInvitation,
  type InvitationOptions, type CreatedInvitation, type InvitationCheck, type InvitationRejection,
} from './app/invitations';
