/**
 * Where a user who got the command line wrong should look: the --help of the
 * command they ran (which lists the global options too), or the program's.
 */
import { KonstructError } from '../errors';
import { ExitCode } from '../exit-codes';

export function helpPointer(command: string | null): string {
  return `Run \`konstruct-migrate ${command ? `${command} ` : ''}--help\` for usage.`;
}

/**
 * The line saying what to do about `error`: its own hint; for a usage error
 * without one, the command's --help; for a failure nobody foresaw, how to report it.
 */
export function hintFor(error: unknown, command: string | null): string | undefined {
  if (!(error instanceof KonstructError)) return 'Run again with --verbose for details, and report it if it persists.';
  return error.hint ?? (error.exitCode === ExitCode.Usage ? helpPointer(command) : undefined);
}
