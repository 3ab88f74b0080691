/**
 * The one place that spawns processes for the tests and the benchmark: the built
 * CLI (dist/) the way users and pipelines run it, the stock knex CLI, npm and npx.
 * A child gets a clean environment and its output is collected; how long it ran
 * is measured from spawn to exit (the benchmark reports that time).
 *
 * Compiled with the benchmark (dist/test/support/), so paths are found from the
 * package root, not from where this file sits.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { childExited } from './spawn-accounting';

const HERE = path.resolve(__dirname, '..', '..');
/** The package root, from test/support or from dist/test/support. */
export const PACKAGE_ROOT = path.basename(HERE) === 'dist' ? path.dirname(HERE) : HERE;
export const CLI_PATH = path.join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'bin.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From spawn to exit: process start, module loading and the work. */
  ms: number;
}

export interface ProcessOptions {
  /** Added to a clean environment (see cleanEnv); undefined removes a variable. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Killed (SIGKILL) after this long, so a hang fails the test instead of stalling it; default: never. */
  timeoutMs?: number;
}

export interface CliOptions extends ProcessOptions {
  /** Another copy of the built executable (default: this checkout's dist/src/cli/bin.js). */
  cliPath?: string;
  /** On a pseudo-terminal (util-linux `script`): stdout and stderr are a TTY, and arrive together on stdout. */
  terminal?: boolean;
}

/** A process that is running: its output so far, and its result once it exits. */
export interface RunningProcess {
  pid: number;
  /** stdout + stderr so far. */
  output(): string;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<CliResult>;
}

/**
 * The caller's environment without anything that could point a child at another
 * database or change its output: CI, DATABASE_URL, PG*, KONSTRUCT_*, colour
 * variables, and the npm_* configuration of a surrounding `npm test` (which a
 * nested npm or npx would read as its own). Then `extra` on top.
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const inherited = (name: string) =>
    !['CI', 'DATABASE_URL', 'NO_COLOR', 'FORCE_COLOR'].includes(name) && !/^(PG|KONSTRUCT_|npm_)/i.test(name);
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => inherited(name)));
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export function startProcess(command: string, args: string[], options: ProcessOptions = {}): RunningProcess {
  const started = performance.now();
  const child = spawn(command, args, { cwd: options.cwd ?? process.cwd(), env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  // For cpu-accounting.ts (a no-op unless measuring): a CLI run directly or on a pseudo-terminal.
  child.on('exit', () => childExited([command, ...args].some((arg) => arg.includes(`${path.sep}cli${path.sep}bin.js`))));
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
  return { pid: child.pid!, output: () => stdout + stderr, kill: (signal) => child.kill(signal), exited };
}

export function runProcess(command: string, args: string[], options: ProcessOptions = {}): Promise<CliResult> {
  return startProcess(command, args, options).exited;
}

/**
 * Node reads and parses every certificate of NODE_EXTRA_CA_CERTS as it starts, whether or not the
 * process opens a TLS connection: with a system bundle there (as on the machine these tests are timed on), ~0.07
 * CPU-s of each CLI run's ~0.2-0.4, and the suite spawns the CLI some thousand times (issue #26
 * item 5). The CLI's TLS tests bring their own CA (sslrootcert), so it is left out unless a test
 * sets it. npm and npx keep it: they may need it to reach a registry.
 */
const WITHOUT_EXTRA_CA_CERTS = { NODE_EXTRA_CA_CERTS: undefined };

/** The built CLI, running until the caller awaits `exited` or kills it. */
export function startCli(args: string[], options: CliOptions = {}): RunningProcess {
  const argv = [process.execPath, options.cliPath ?? CLI_PATH, ...args];
  const env = { ...WITHOUT_EXTRA_CA_CERTS, ...options.env };
  if (!options.terminal) return startProcess(argv[0]!, argv.slice(1), { ...options, env });
  const command = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return startProcess('script', ['-qfec', command, '/dev/null'], { ...options, env: { TERM: 'xterm', ...env } });
}

/** The built CLI to its end; killed after 60 s unless told otherwise. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, { timeoutMs: 60_000, ...options }).exited;
}
