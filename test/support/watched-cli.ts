/** A spawned CLI whose output can be awaited while it runs (e.g. "waiting for the migration lock"). */
import { startCli, type CliOptions, type RunningProcess } from './cli';
import { waitUntil } from './wait-until';

export interface WatchedCli extends RunningProcess {
  waitForOutput(pattern: RegExp): Promise<void>;
}

/** Killed after 60 s unless told otherwise, like runCli: a hung run fails its test instead of outliving it. */
export function startWatchedCli(args: string[], options: CliOptions = {}): WatchedCli {
  const cli = startCli(args, { timeoutMs: 60_000, ...options });
  let done = false;
  void cli.exited.then(() => (done = true), () => (done = true));
  return {
    ...cli,
    waitForOutput: async (pattern) => {
      try {
        await waitUntil(() => {
          if (pattern.test(cli.output())) return true;
          if (done) throw new Error(`the CLI exited without printing ${pattern}:\n${cli.output()}`);
          return false;
        }, `CLI output matching ${pattern}`);
      } catch (error) {
        // What it printed instead is what tells a slow run from a wrong one.
        if (!done) (error as Error).message += `\nthe CLI's output so far:\n${cli.output()}`;
        throw error;
      }
    },
  };
}
