/**
 * `complete` on the command line: its definition, and the action that runs the
 * library function in src/commands/complete.ts (through apply-action.ts, shared
 * with `up`). What only a run needs is imported inside the action, with
 * import(), so that --help loads none of it (scripts/bundle-cli.ts).
 */
import { Option, type Command, type OptionValues } from 'commander';
import { DRAIN_DEFAULTS } from '../../drain/drain-defaults';
import type { Io } from '../io';
import { addRunOptions, parseSeconds, runOptionsFrom } from '../run-options';

export function registerComplete(program: Command, io: Io): void {
  addRunOptions(
    program
      .command('complete')
      .description('finish phased migrations that stand part-way: the contract after `up --expand`, or what an interrupted run left'),
  )
    .addOption(
      new Option('--drain-window <seconds>', 'refuse while the old application version was seen within this long (its writes, reads, sessions)')
        .argParser(parseSeconds)
        .default(DRAIN_DEFAULTS.windowSeconds),
    )
    .option('--old-version <pattern>', "application_name of the old version's sessions, a glob (e.g. 'portal-v1*'): while one is connected, refuse")
    .option('--force', 'complete even though the old version was seen recently (its queries on what the contract drops will fail)')
    .addHelpText(
      'after',
      '\n--wait (without seconds): wait until the old version has drained (no evidence within the window), then complete.\n' +
        '\nRolling deploy: `up --expand`, deploy the new application version everywhere, then `complete --wait`.\n' +
        'The contract waits until the old version is gone: see docs/online-migrations.md#draining-the-old-version.\n' +
        'With nothing part-way it says so and exits 0. Refused (old version active): exit 11, nothing changed.\n' +
        '\nExamples:\n  konstruct-migrate complete --wait\n  konstruct-migrate complete --old-version "portal-v1*" --drain-window 300\n' +
        '  konstruct-migrate complete --dry-run\n  konstruct-migrate complete --json',
    )
    .action((opts, cmd: Command) => runComplete(opts, cmd, io));
}

async function runComplete(opts: OptionValues, cmd: Command, io: Io): Promise<void> {
  const [{ complete }, { runApplyCommand }, { completeSummary }] = await Promise.all([
    import('../../commands/complete.js'),
    import('../apply-action.js'),
    import('../print-results.js'),
  ]);
  await runApplyCommand(cmd, io, {
    command: 'complete',
    apply: (ctx, onStep) =>
      complete(ctx, {
        onStep,
        ...runOptionsFrom(opts),
        drainWindow: opts.drainWindow as number,
        oldVersion: opts.oldVersion as string | undefined,
        wait: cmd.optsWithGlobals().wait === true,
        force: Boolean(opts.force),
        onDrainWait: (signs, waitedMs) => onStep({ type: 'draining', signs: signs.map((s) => s.text), clearsInSeconds: signs[0]!.clearsInSeconds, waitedMs }),
      }),
    summary: completeSummary,
  });
}
