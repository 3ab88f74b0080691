/** CLI definition of `up`; the work is done by the library function in src/commands/up.ts. */
import type { Command } from 'commander';
import { up } from '../../commands/up';
import { upJson } from '../json-output';
import { outputOptions } from '../output/output-options';
import { withStepProgress } from '../output/step-progress';
import { formatDryRun } from '../print-dry-run';
import { upSummary } from '../print-results';
import { runWithContext, type Io } from '../run-command';
import { addRunOptions, runOptionsFrom } from '../run-options';

export function registerUp(program: Command, io: Io): void {
  addRunOptions(
    program
      .command('up')
      .description('apply all pending migrations: each in its own transaction, a phased one step by step')
      .option('--to <migration>', 'stop after this migration (name or number, e.g. 005)')
      .option('--expand', 'stop once a phased migration is expanded (old and new app versions both served); `complete` finishes it'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  konstruct-migrate up\n  konstruct-migrate up --to 005\n  konstruct-migrate up --dry-run\n' +
        '  konstruct-migrate up --expand            # rolling deploy: expand, deploy the new version, then `complete`\n' +
        '  konstruct-migrate up --json --lock-wait 300\n  konstruct-migrate up --quiet --url "$DATABASE_URL"',
    )
    .action(async (opts, cmd: Command) => {
      const globals = cmd.optsWithGlobals();
      const output = outputOptions(globals);
      await runWithContext(
        globals,
        io,
        (ctx, live) => withStepProgress(live, output, (onStep) => up(ctx, { to: opts.to, expand: opts.expand, onStep, ...runOptionsFrom(opts) })),
        (r, out) => {
          if (output.quiet) return;
          if (r.dryRun) out.outLines(formatDryRun('up', r.dryRun));
          else out.out(upSummary(r, output.style));
        },
        { command: 'up', document: upJson },
      );
    });
}
