/** A spawned CLI whose output can be awaited while it runs (e.g. "waiting for the migration lock"). */
import type { CliOptions, CliResult } from './cli';
import { startCli } from './cli';
import { waitUntil } from './wait-until';

export interface WatchedCli {
  pid: number;
  /** stdout + stderr so far. */
  output(): string;
  waitForOutput(pattern: RegExp): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<CliResult>;
}

export function startWatchedCli(args: string[], options: CliOptions = {}): WatchedCli {
  const child = startCli(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  let done = false;
  void exited.then(() => (done = true));
  return {
    pid: child.pid!,
    output: () => stdout + stderr,
    waitForOutput: (pattern) =>
      waitUntil(() => {
        if (pattern.test(stdout + stderr)) return true;
        if (done) throw new Error(`the CLI exited without printing ${pattern}:\n${stdout}${stderr}`);
        return false;
      }, `CLI output matching ${pattern}`),
    kill: (signal) => child.kill(signal),
    exited,
  };
}
