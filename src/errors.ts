/**
 * One error family for everything a user can cause. Each carries the exit code
 * the CLI ends with and a message that says what went wrong and what to do next.
 * The CLI prints `message` (and `hint`) only; stacks appear with --verbose.
 */
import { ExitCode } from './exit-codes';

export class KonstructError extends Error {
  readonly exitCode: ExitCode;
  /** What to do about it, printed on its own line. */
  hint?: string;
  /** Steps that completed (and stay committed) before a run failed part-way. */
  completed?: Array<{ name: string; direction: 'up' | 'down'; ms: number; attempts: number }>;

  constructor(message: string, options: { exitCode: ExitCode; hint?: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode;
    this.hint = options.hint;
  }

  /**
   * A phased run failed after part of its migration committed: the hint starts
   * with what stands and how the next run carries on (phased/part-way-report.ts).
   */
  tellPartWay(standing: string): void {
    this.hint = [standing, this.hint].filter(Boolean).join(' ');
  }
}

export class ConfigError extends KonstructError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.Usage, hint });
  }
}

export class ConnectionError extends KonstructError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { exitCode: ExitCode.CannotConnect, hint, cause });
  }
}

/** The migration lock, or a table lock a migration needed, was not granted in time. */
export class LockTimeoutError extends KonstructError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { exitCode: ExitCode.LockTimeout, hint, cause });
  }
}

/**
 * The run's migration lock went (its session was terminated, or the connection
 * dropped): another run may hold it now, so this one stops before committing more.
 */
export class LockLostError extends KonstructError {
  constructor({ rolledBack }: { rolledBack: boolean }) {
    super(
      `lost the migration lock: its database session ended (terminated, or the connection dropped); ${rolledBack ? 'the transaction in progress was rolled back and ' : ''}nothing more was run`,
      {
        exitCode: ExitCode.LockLost,
        hint: 'What this run committed before stands. Run the command again: the next run carries on from there (`konstruct-migrate status` shows where it stands).',
      },
    );
  }

  /** The standing says what this run committed and how to carry on: it replaces the general hint. */
  override tellPartWay(standing: string): void {
    this.hint = standing;
  }
}

/** The history does not match the code: an applied migration changed, or is unknown to this code. */
export class HistoryMismatchError extends KonstructError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.HistoryMismatch, hint });
  }
}

export class TargetError extends KonstructError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.Usage, hint });
  }
}

/** A migration's SQL failed; PostgreSQL's own message, code, detail and hint are kept. */
export class MigrationFailedError extends KonstructError {
  readonly migration: string;
  readonly direction: 'up' | 'down';
  readonly pg?: PgErrorFields;
  /** The failing statement, with placeholders (never bound values); shown with --verbose and in --json. */
  readonly statement?: string;
  /** PostgreSQL's own detail and hint, kept when the advice is replaced. */
  private readonly pgAdvice?: string;

  constructor(migration: string, direction: 'up' | 'down', cause: unknown, options: { transactional?: boolean; statement?: string } = {}) {
    const pg = pgErrorFields(cause);
    const reason = cause instanceof Error ? cause.message : String(cause);
    const outcome = options.transactional === false
      ? 'failed; it runs outside a transaction, so what it did before the failing statement stays applied'
      : 'failed and was rolled back';
    const pgAdvice = [pg?.detail && `detail: ${pg.detail}`, pg?.hint && `hint: ${pg.hint}`].filter(Boolean).join('; ') || undefined;
    super(`migration ${migration} (${direction}) ${outcome}: ${reason}${pg?.code ? ` [SQLSTATE ${pg.code}]` : ''}`, {
      exitCode: ExitCode.MigrationFailed,
      hint: pgAdvice ?? adviceFor(pg?.code, options.transactional !== false),
      cause,
    });
    this.migration = migration;
    this.direction = direction;
    this.pg = pg;
    this.statement = options.statement;
    this.pgAdvice = pgAdvice;
  }

  /** Only the failing step's (or batch's) transaction was rolled back: never say the database is unchanged. */
  override tellPartWay(standing: string): void {
    this.message = this.message.replace(' failed and was rolled back: ', ' failed; its current transaction (one step or batch) was rolled back: ');
    this.hint = [standing, this.pgAdvice].filter(Boolean).join(' ');
  }
}

/** What to do, for the failures PostgreSQL gives no hint for. */
function adviceFor(code: string | undefined, transactional: boolean): string {
  switch (code) {
    case '42501':
      return 'The database user lacks a privilege this migration needs: run it as a user that has it, or have an administrator do that step.';
    case '57014':
      return 'A statement was cancelled (statement_timeout, see --statement-timeout); raise the limit or run when the database is less busy.';
    default:
      return transactional
        ? 'The database is unchanged by this migration; fix the cause and run the command again.'
        : 'Check what it left behind (e.g. an INVALID index from CREATE INDEX CONCURRENTLY) before running it again.';
  }
}

export interface PgErrorFields {
  code?: string;
  detail?: string;
  hint?: string;
  table?: string;
  constraint?: string;
}

export function pgErrorFields(error: unknown): PgErrorFields | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const e = error as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  return { code: str(e.code), detail: str(e.detail), hint: str(e.hint), table: str(e.table), constraint: str(e.constraint) };
}

/**
 * A PostgreSQL "permission denied" (SQLSTATE 42501) outside a migration's own statements: the database user may not
 * read or lock the tool's tables (knex_migrations, its lock table, the phase table), typically a role other than the
 * one that created them. A user's setting, not a bug, so one line and what to do, not "unexpected failure ... report
 * it". A migration's own statements fail as that migration (MigrationFailedError).
 */
export class PrivilegeError extends KonstructError {
  private static readonly ADVICE =
    'Connect as the role that owns the schema\'s tables (the one that created knex_migrations), or grant this one SELECT, INSERT, UPDATE and DELETE on the tool\'s tables (docs/connecting.md, "The database user\'s privileges").';

  constructor(cause: Error) {
    super(`the database user lacks a privilege konstruct-migrate needs: ${cause.message} [SQLSTATE 42501]`, {
      exitCode: ExitCode.Usage,
      hint: `${PrivilegeError.ADVICE} Nothing was changed.`,
      cause,
    });
  }

  /** Found by review: a run that had applied a migration and stood part-way in the next said nothing was changed. */
  override tellPartWay(standing: string): void {
    this.hint = `${standing} ${PrivilegeError.ADVICE}`;
  }
}

/** The error as a PrivilegeError where it is a raw permission denied; undefined otherwise. */
export function asPrivilegeError(error: unknown): PrivilegeError | undefined {
  if (error instanceof KonstructError || pgErrorFields(error)?.code !== '42501') return undefined;
  return new PrivilegeError(error as Error);
}