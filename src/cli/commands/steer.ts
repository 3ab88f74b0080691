/**
 * CLI definition of `steer`; what it runs is in ../actions/steer.ts, loaded when it runs, and the
 * work is done by the library function in src/commands/steer.ts.
 */
import { Option, type Command } from 'commander';
import type { Io } from '../io';
import { parsePositive } from '../run-options';
import { jsonOption } from '../shared-options';

export function registerSteer(program: Command, io: Io): void {
  program
    .command('steer')
    .description('pause, resume or change the target batch time of a backfill from another shell, without stopping its run')
    .argument('[migration]', 'the phased migration (name or number, e.g. 006); default: the one that stands part-way')
    .option('--pause', 'hold the backfill before its next batch (also the next run\'s, until --resume)')
    .option('--reason <text>', 'why, shown to whoever runs or looks at it (with --pause)')
    .option('--resume', 'let it carry on')
    .addOption(new Option('--batch-time <ms>', 'a new target time of one batch: the batch size adapts to it from the next batch on').argParser(parsePositive))
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nThe running migration reads this before each batch; a paused one holds no table lock and no open transaction.\n' +
        'With nothing part-way (and no migration named): exit 2, nothing changed. See docs/online-migrations.md#steering-a-running-backfill.\n' +
        '\nExamples:\n  konstruct-migrate steer --pause --reason "peak traffic"\n  konstruct-migrate steer --resume\n' +
        '  konstruct-migrate steer --batch-time 20            # gentler: smaller batches\n  konstruct-migrate steer 006 --pause --json',
    )
    .action(async (migration: string | undefined, opts, cmd: Command) => (await import('../actions/steer.js')).runSteer(migration, opts, cmd, io));
}
