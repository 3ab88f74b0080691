/**
 * Runs a command the way a user or a pipeline does, and times it from spawn to
 * exit: process start, module loading, connecting and the work itself. The
 * spawning is the tests' (test/support/cli.ts), so both run the CLI alike.
 */
import { runProcess } from '../test/support/cli';
import { PACKAGE_ROOT } from './project-files';

export interface TimedProcess {
  ms: number;
  stdout: string;
  stderr: string;
}

/** Runs `node <args>` against `databaseUrl` (plus `extraEnv`); a non-zero exit is an error that quotes the end of stderr. */
export async function runNode(args: string[], databaseUrl: string, extraEnv: Record<string, string | undefined> = {}): Promise<TimedProcess> {
  const env = { ...extraEnv, DATABASE_URL: databaseUrl };
  const { code, signal, ms, stdout, stderr } = await runProcess(process.execPath, args, { cwd: PACKAGE_ROOT, env });
  if (code === 0) return { ms, stdout, stderr };
  const tail = stderr.trim().split('\n').slice(-3).join(' | ');
  throw new Error(`node ${args.join(' ')} exited with ${code ?? signal}: ${tail}`);
}
