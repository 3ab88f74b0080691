/**
 * CLI definition of `status`; what it runs is in ../actions/status.ts, loaded when it runs
 * (so that --help loads none of it), and the work is done by the library function in
 * src/commands/status.ts.
 */
import type { Command } from 'commander';
import type { Io } from '../io';
import { jsonOption } from '../shared-options';

export function registerStatus(program: Command, io: Io): void {
  program
    .command('status')
    .description('list every migration as applied, pending or part-way (expanding, backfilling, expanded, contracting), with when and in which batch; flag changed or unknown ones')
    .option('--check', 'exit 3 when migrations are pending or part-way, 8 when applied ones changed or are unknown to this code, or a part-way one compiles into other steps')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nExamples:\n  konstruct-migrate status\n  konstruct-migrate status --no-color | grep pending\n  konstruct-migrate status --check --json',
    )
    .action(async (opts, cmd: Command) => (await import('../actions/status.js')).runStatus(opts, cmd, io));
}
