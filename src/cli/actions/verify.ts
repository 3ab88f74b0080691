/** What `verify` runs (its definition: ../commands/verify.ts): the library function in src/commands/verify.ts. */
import type { Command, OptionValues } from 'commander';
import { checkVerify } from '../../commands/preflight';
import { verify, type VerifyResult } from '../../commands/verify';
import { ExitCode } from '../../exit-codes';
import { outputOptions } from '../output/output-options';
import { runWithContext, type Io } from '../run-command';

export async function runVerify(opts: OptionValues, cmd: Command, io: Io): Promise<void> {
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

export function formatVerify(result: VerifyResult): string[] {
  const expected = result.migration ? `what ${result.migration} produces` : 'an empty schema (no migration is applied)';
  if (result.ok) return [`The schema matches ${expected}.`];
  const lines = [`The schema differs from ${expected}: ${result.differences.length} difference(s).`];
  lines.push(...result.differences.map((d) => `  ${d.message}`));
  if (!result.migration) lines.push('To compare with a migration (e.g. before `baseline`): konstruct-migrate verify --against <migration>');
  return lines;
}
