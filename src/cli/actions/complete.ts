/** What `complete` runs (its definition: ../commands/complete.ts): the library function in src/commands/complete.ts. */
import type { Command, OptionValues } from 'commander';
import { complete } from '../../commands/complete';
import { runApplyCommand } from '../apply-action';
import type { Io } from '../io';
import { completeSummary } from '../print-results';
import { runOptionsFrom } from '../run-options';

export function runComplete(opts: OptionValues, cmd: Command, io: Io): Promise<void> {
  return runApplyCommand(cmd, io, {
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
