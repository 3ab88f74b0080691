/**
 * `check` on the command line: its definition, and the action that runs the
 * library function in src/commands/check.ts. What only a run needs is imported
 * inside the action, with import(), so that --help loads none of it
 * (scripts/bundle-cli.ts).
 */
import { InvalidArgumentError, Option, type Command, type OptionValues } from 'commander';
import { DEFAULT_SIZES_FILE, DEFAULT_THRESHOLD_ROWS } from '../../checks/check-defaults';
import type { CheckResult } from '../../commands/check';
import { ExitCode } from '../../exit-codes';
import type { Io } from '../io';
import { parseCount } from '../run-options';
import { jsonOption, migrationOption } from '../shared-options';

export function registerCheck(program: Command, io: Io): void {
  program
    .command('check')
    .description('run each pending migration on a throwaway copy of the schema and judge the locks, rewrites and scans it causes on existing tables')
    .addOption(migrationOption('--to <migration>', 'check the pending migrations up to this one'))
    .addOption(new Option('--threshold <rows>', 'findings on tables with this many rows or more are unsafe (exit 10); smaller ones warn').argParser(parseCount).default(DEFAULT_THRESHOLD_ROWS))
    .addOption(new Option('--recorded [file]', 'judge by the sizes and history recorded in the repository, without reading the target').preset(DEFAULT_SIZES_FILE))
    .addOption(new Option('--record-sizes [file]', `write the target's table sizes and applied migrations to the repository file, then stop`).preset(DEFAULT_SIZES_FILE))
    .addOption(new Option('--format <format>', 'text, or github: annotations for a GitHub Actions step').argParser(parseFormat).default('text'))
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nThe copy is built on a private embedded PostgreSQL, or on KONSTRUCT_CHECK_SERVER_URL (a superuser URL; use the production major).\n' +
        '\nExamples:\n  konstruct-migrate check\n  konstruct-migrate check --recorded --format github      # in CI, without production access\n' +
        '  konstruct-migrate check --record-sizes --url "$PRODUCTION_READONLY_URL"',
    )
    .action((opts, cmd: Command) => runCheck(opts, cmd, io));
}

function parseFormat(value: string): 'text' | 'github' {
  if (value !== 'text' && value !== 'github') throw new InvalidArgumentError('expected text or github.');
  return value;
}

async function runCheck(opts: OptionValues, cmd: Command, io: Io): Promise<void> {
  const [{ check }, { recordSizes }, { checkServerUrl }, { blocking }, { outputOptions }, { formatCheck, formatGithub }, { runWithContext }] = await Promise.all([
    import('../../commands/check.js'),
    import('../../checks/record-sizes.js'),
    import('../../checks/scratch-server.js'),
    import('../../checks/judge.js'),
    import('../output/output-options.js'),
    import('../print-check.js'),
    import('../run-command.js'),
  ]);
  const globals = cmd.optsWithGlobals();
  const output = outputOptions(globals);
  if (opts.recordSizes) {
    await runWithContext(globals, io, (ctx) => recordSizes(ctx, opts.recordSizes), (r, out) => void (output.quiet || out.out(`Recorded ${r.tables} table sizes and ${r.applied} applied migrations in ${r.file}.`)), { command: 'check' });
    return;
  }
  await runWithContext(
    globals,
    io,
    (ctx) => check(ctx, { to: opts.to, thresholdRows: opts.threshold, recordedSizes: opts.recorded, serverUrl: checkServerUrl() }),
    (r: CheckResult, out) => {
      if (opts.format === 'github') out.outLines(formatGithub(r));
      else if (!output.quiet) out.outLines(formatCheck(r));
      return blocking(r.findings).length > 0 ? ExitCode.UnsafeMigration : ExitCode.Ok;
    },
    { command: 'check' },
  );
}
