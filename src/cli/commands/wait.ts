/**
 * `wait` on the command line, for pipelines that start PostgreSQL beside the
 * job: its definition, and the action that runs the library function in
 * src/commands/wait.ts. What only a run needs is imported inside the action,
 * with import(), so that --help loads none of it (scripts/bundle-cli.ts).
 */
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
    .action((seconds: number | undefined, _opts, cmd: Command) => runWait(seconds ?? cmd.optsWithGlobals().wait ?? DEFAULT_WAIT_SECONDS, cmd, io));
}

async function runWait(seconds: number | true, cmd: Command, io: Io): Promise<void> {
  const [{ wait }, { formatSeconds }, { runWithContext }] = await Promise.all([
    import('../../commands/wait.js'),
    import('../../db/session-info.js'),
    import('../run-command.js'),
  ]);
  const global = cmd.optsWithGlobals();
  await runWithContext(
    { ...global, wait: seconds },
    io,
    (ctx) => wait(ctx),
    (r, out) => {
      if (!global.quiet) out.out(`The database accepts connections (PostgreSQL ${r.serverVersion}, waited ${formatSeconds(r.waitedMs / 1000)}).`);
    },
    { command: 'wait' },
  );
}
