/**
 * `verify` on the command line: its definition, and the action that runs the
 * library function in src/commands/verify.ts. What only a run needs is imported
 * inside the action, with import(), so that --help loads none of it
 * (scripts/bundle-cli.ts).
 */
import type { Command, OptionValues } from 'commander';
import type { VerifyResult } from '../../commands/verify';
import { ExitCode } from '../../exit-codes';
import type { Io } from '../io';
import { jsonOption, migrationOption } from '../shared-options';

export function registerVerify(program: Command, io: Io): void {
  program
    .command('verify')
    .description('compare the live schema with what the applied migrations produce (exit 9 on drift)')
    .addOption(migrationOption('--against <migration>', "compare with this migration's schema instead of the newest applied one's"))
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nCompared: tables, columns (type, nullability, default), constraints, indexes, comments, grants,\n' +
        'functions, triggers, views, materialized views, sequences, types, domains, extensions, policies\n' +
        'and row level security. Not compared: owners and column positions.\n' +
        '\nExamples:\n  konstruct-migrate verify\n  konstruct-migrate verify --against 006 --json',
    )
    .action((opts, cmd: Command) => runVerify(opts, cmd, io));
}

async function runVerify(opts: OptionValues, cmd: Command, io: Io): Promise<void> {
  const [{ checkVerify }, { verify }, { outputOptions }, { runWithContext }] = await Promise.all([
    import('../../commands/preflight.js'),
    import('../../commands/verify.js'),
    import('../output/output-options.js'),
    import('../run-command.js'),
  ]);
  const globals = cmd.optsWithGlobals();
  const output = outputOptions(globals);
  await runWithContext(
    globals,
    io,
    (ctx) => verify(ctx, { against: opts.against }),
    (result, out) => {
      // Quiet drops the success line only: differences are what a failing run is about.
      if (!output.quiet || !result.ok) out.outLines(formatVerify(result));
      return result.ok ? ExitCode.Ok : ExitCode.SchemaDrift;
    },
    { command: 'verify' },
    (config) => checkVerify(config, { against: opts.against }),
  );
}

function formatVerify(result: VerifyResult): string[] {
  const expected = result.migration ? `what ${result.migration} produces` : 'an empty schema (no migration is applied)';
  if (result.ok) return [`The schema matches ${expected}.`];
  const lines = [`The schema differs from ${expected}: ${result.differences.length} difference(s).`];
  lines.push(...result.differences.map((d) => `  ${d.message}`));
  if (!result.migration) lines.push('To compare with a migration (e.g. before `baseline`): konstruct-migrate verify --against <migration>');
  return lines;
}
