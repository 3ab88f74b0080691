/** CLI definition of `wait`: for pipelines that start PostgreSQL beside the job. */
import type { Command } from 'commander';
import { wait } from '../../commands/wait';
import { formatSeconds } from '../../db/session-info';
import { runWithContext, type Io } from '../run-command';
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
      const global = cmd.optsWithGlobals();
      await runWithContext(
        { ...global, wait: seconds ?? global.wait ?? DEFAULT_WAIT_SECONDS },
        io,
        (ctx) => wait(ctx),
        (r, out) => {
          if (!global.quiet) out.out(`The database accepts connections (PostgreSQL ${r.serverVersion}, waited ${formatSeconds(r.waitedMs / 1000)}).`);
        },
        { command: 'wait' },
      );
    });
}
