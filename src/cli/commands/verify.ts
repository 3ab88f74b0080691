/** CLI definition of `verify`; the work is done by the library function in src/commands/verify.ts. */
import type { Command } from 'commander';
import { verify, type VerifyResult } from '../../commands/verify';
import { ExitCode } from '../../exit-codes';
import { runWithContext, type Io } from '../run-command';

export function registerVerify(program: Command, io: Io): void {
  program
    .command('verify')
    .description('compare the live schema with what the applied migrations produce (exit 9 on drift)')
    .option('--against <migration>', "compare with this migration's schema instead of the newest applied one")
    .option('--json', 'print the result as one JSON document')
    .addHelpText(
      'after',
      '\nCompared: tables, columns (type, nullability, default), constraints, indexes, column comments,\n' +
        'grants, functions and triggers. Not compared: table owners and column positions.\n' +
        '\nExamples:\n  konstruct-migrate verify\n  konstruct-migrate verify --against 006 --json',
    )
    .action(async (opts, cmd: Command) => {
      const global = cmd.optsWithGlobals();
      await runWithContext(global, io, (ctx) => verify(ctx, { against: opts.against }), (result, out) => {
        if (global.json) out.out(JSON.stringify(result, null, 2));
        else out.outLines(formatVerify(result));
        return result.ok ? ExitCode.Ok : ExitCode.SchemaDrift;
      });
    });
}

export function formatVerify(result: VerifyResult): string[] {
  const expected = result.migration ? `what ${result.migration} produces` : 'an empty schema (no migration is applied)';
  if (result.ok) return [`The schema matches ${expected}.`];
  const lines = [`The schema differs from ${expected}: ${result.differences.length} difference(s).`];
  lines.push(...result.differences.map((d) => `  ${d.message}`));
  if (!result.migration) lines.push('To compare with a migration (e.g. before `baseline`): konstruct-migrate verify --against <migration>');
  return lines;
}
