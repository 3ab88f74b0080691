/** What `up` runs (its definition: ../commands/up.ts): the library function in src/commands/up.ts. */
import type { Command, OptionValues } from 'commander';
import { checkServerUrl } from '../../checks/scratch-server';
import { checkUp } from '../../commands/preflight';
import { up } from '../../commands/up';
import { runApplyCommand } from '../apply-action';
import type { Io } from '../io';
import { upSummary } from '../print-results';
import { runOptionsFrom } from '../run-options';

export function runUp(opts: OptionValues, cmd: Command, io: Io): Promise<void> {
  return runApplyCommand(cmd, io, {
    command: 'up',
    apply: (ctx, onStep) => up(ctx, { to: opts.to, expand: opts.expand, onStep, allowOutOfOrder: Boolean(opts.allowOutOfOrder), ...runOptionsFrom(opts), check: opts.check && { thresholdRows: opts.checkThreshold, serverUrl: checkServerUrl() } }),
    summary: upSummary,
    preflight: (config) => checkUp(config, { to: opts.to }),
  });
}
