/** CLI definition of `up`; the work is done by the library function in src/commands/up.ts. */
import type { Command } from 'commander';
import { checkUp } from '../../commands/preflight';
import { up } from '../../commands/up';
import { runApplyCommand } from '../apply-action';
import { upSummary } from '../print-results';
import type { Io } from '../run-command';
import { addRunOptions, runOptionsFrom } from '../run-options';
import { migrationOption } from '../shared-options';

export function registerUp(program: Command, io: Io): void {
  addRunOptions(
    program
      .command('up')
      .description('apply all pending migrations: each in its own transaction, a phased one step by step')
      .addOption(migrationOption('--to <migration>', 'stop after this migration'))
      .option('--expand', 'stop once a phased migration is expanded (old and new app versions both served); `complete` finishes it')
      .option('--allow-out-of-order', 'apply pending migrations even if one shares its number with another or sorts before an applied one'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  konstruct-migrate up\n  konstruct-migrate up --to 005\n  konstruct-migrate up --dry-run\n' +
        '  konstruct-migrate up --expand            # rolling deploy: expand, deploy the new version, then `complete`\n' +
        '  konstruct-migrate up --json --lock-wait 300\n  konstruct-migrate up --quiet --url "$DATABASE_URL"',
    )
    .action((opts, cmd: Command) =>
      runApplyCommand(cmd, io, {
        command: 'up',
        apply: (ctx, onStep) => up(ctx, { to: opts.to, expand: opts.expand, allowOutOfOrder: Boolean(opts.allowOutOfOrder), onStep, ...runOptionsFrom(opts) }),
        summary: upSummary,
        preflight: (config) => checkUp(config, { to: opts.to }),
      }),
    );
}
