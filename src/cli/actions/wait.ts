/** What `wait` runs (its definition: ../commands/wait.ts): the library function in src/commands/wait.ts. */
import type { Command } from 'commander';
import { wait } from '../../commands/wait';
import { formatSeconds } from '../../db/session-info';
import { runWithContext, type Io } from '../run-command';

export async function runWait(seconds: number | true, cmd: Command, io: Io): Promise<void> {
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
