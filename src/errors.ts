/**
 * One error family for everything a user can cause. Each carries the exit code
 * the CLI ends with and a message that says what went wrong and what to do next.
 * The CLI prints `message` (and `hint`) only; stacks appear with --verbose.
 */
import { ExitCode } from './exit-codes';

export class KonstructError extends Error {
  readonly exitCode: ExitCode;
  /** What to do about it, printed on its own line. */
  readonly hint?: string;

  constructor(message: string, options: { exitCode: ExitCode; hint?: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode;
    this.hint = options.hint;
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

export class TargetError extends KonstructError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.Usage, hint });
  }
}

/** A migration's SQL failed; PostgreSQL's own code, detail and hint are kept. */
export class MigrationFailedError extends KonstructError {
  readonly migration: string;
  readonly direction: 'up' | 'down';
  readonly pg?: { code?: string; detail?: string; hint?: string; table?: string; constraint?: string };

  constructor(migration: string, direction: 'up' | 'down', cause: unknown) {
    const pg = pgErrorFields(cause);
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `migration ${migration} (${direction}) failed and was rolled back: ${reason}` +
        (pg?.code ? ` [SQLSTATE ${pg.code}]` : ''),
      {
        exitCode: ExitCode.MigrationFailed,
        hint: [pg?.detail && `detail: ${pg.detail}`, pg?.hint && `hint: ${pg.hint}`]
          .filter(Boolean)
          .join('; ') || 'The database is unchanged by this migration; fix the cause and run the command again.',
        cause,
      },
    );
    this.migration = migration;
    this.direction = direction;
    this.pg = pg;
  }
}

export function pgErrorFields(error: unknown): MigrationFailedError['pg'] {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const e = error as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  return { code: str(e.code), detail: str(e.detail), hint: str(e.hint), table: str(e.table), constraint: str(e.constraint) };
}
