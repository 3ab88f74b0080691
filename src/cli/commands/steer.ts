/**
 * `steer` on the command line: its definition, and the action that runs the
 * library function in src/commands/steer.ts. What only a run needs is imported
 * inside the action, with import(), so that --help loads none of it
 * (scripts/bundle-cli.ts).
 */
import { Option, type Command, type OptionValues } from 'commander';
import type { SteerResult } from '../../commands/steer';
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
    .action((migration: string | undefined, opts, cmd: Command) => runSteer(migration, opts, cmd, io));
}

async function runSteer(migration: string | undefined, opts: OptionValues, cmd: Command, io: Io): Promise<void> {
  const [{ checkSteerOptions, steer }, { outputOptions }, { steerSummary }, { runWithContext }] = await Promise.all([
    import('../../commands/steer.js'),
    import('../output/output-options.js'),
    import('../output/steering-lines.js'),
    import('../run-command.js'),
  ]);
  const globals = cmd.optsWithGlobals();
  const output = outputOptions(globals);
  const options = { migration, pause: opts.pause, resume: opts.resume, reason: opts.reason, batchTimeMs: opts.batchTime };
  await runWithContext(
    globals,
    io,
    (ctx) => steer(ctx, options),
    (r, out) => {
      if (!output.quiet) out.outLines(steerSummary(r));
    },
    { command: 'steer', document: steerJson },
    () => checkSteerOptions(options),
  );
}

/** The row as it stands, flat, with what the command found. */
function steerJson(r: SteerResult): object {
  const { migration: _, ...steering } = r.steering;
  return { migration: r.migration, ...steering, wasPaused: r.wasPaused, running: r.running };
}
