/** CLI definition of `wait`, for pipelines that start PostgreSQL beside the job; what it runs: ../actions/wait.ts. */
import type { Command } from 'commander';
import type { Io } from '../io';
import { parseSeconds } from '../run-options';
import { jsonOption } from '../shared-options';

const DEFAULT_WAIT_SECONDS = 60;

export function registerWait(program: Command, io: Io): void {
  program
    .command('wait')
    .description(`wait until the database accepts connections (default ${DEFAULT_WAIT_SECONDS} s), then exit 0; exit 4 if it does not`)
    .argument('[seconds]', `how long to wait (default: --wait, else ${DEFAULT_WAIT_SECONDS})`, parseSeconds)
    .addOption(jsonOption())
    .addHelpText('after', '\nExamples:\n  konstruct-migrate wait 30 && konstruct-migrate up\n  konstruct-migrate up --wait 30')
    .action(async (seconds: number | undefined, _opts, cmd: Command) => {
      const { runWait } = await import('../actions/wait.js');
      await runWait(seconds ?? cmd.optsWithGlobals().wait ?? DEFAULT_WAIT_SECONDS, cmd, io);
    });
}
