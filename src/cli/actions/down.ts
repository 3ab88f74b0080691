/** What `down` runs (its definition: ../commands/down.ts): the library function in src/commands/down.ts. */
import type { Command, OptionValues } from 'commander';
import { down } from '../../commands/down';
import { checkDown } from '../../commands/preflight';
import { terminalConfirmation } from '../confirm-data-loss';
import { downJson } from '../json-output';
import { outputOptions } from '../output/output-options';
import { withStepProgress } from '../output/step-progress';
import { formatDryRun } from '../print-dry-run';
import { dataLossLines, downSummary } from '../print-results';
import { runWithContext, type Io } from '../run-command';
import { runOptionsFrom } from '../run-options';
import { throttleEpisodes } from '../throttle-episodes';

export async function runDown(opts: OptionValues, cmd: Command, io: Io): Promise<void> {
  const globals = cmd.optsWithGlobals();
  const output = outputOptions(globals);
  const options = { to: opts.to, all: opts.all, yes: opts.yes, toExpanded: opts.toExpanded, confirmDataLoss: terminalConfirmation(), ...runOptionsFrom(opts) };
  const throttled = throttleEpisodes();
  await runWithContext(
    globals,
    io,
    (ctx, live) => withStepProgress(live, output, (onStep) => down(ctx, { ...options, onStep: throttled.listen(onStep) })),
    (r, out) => {
      if (output.quiet) return;
      if (r.dryRun) out.outLines(formatDryRun('down', r.dryRun));
      else out.out(downSummary(r, output.style));
      out.outLines(dataLossLines(r));
    },
    { command: 'down', document: (r) => throttled.addTo(downJson(r)) },
    (config) => checkDown(config, options),
  );
}
