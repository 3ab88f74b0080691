/** What `steer` runs (its definition: ../commands/steer.ts): the library function in src/commands/steer.ts. */
import type { Command, OptionValues } from 'commander';
import { checkSteerOptions, steer, type SteerResult } from '../../commands/steer';
import { outputOptions } from '../output/output-options';
import { steerSummary } from '../output/steering-lines';
import { runWithContext, type Io } from '../run-command';

export async function runSteer(migration: string | undefined, opts: OptionValues, cmd: Command, io: Io): Promise<void> {
  const globals = cmd.optsWithGlobals();
  const output = outputOptions(globals);
  const options = { migration, pause: opts.pause, resume: opts.resume, reason: opts.reason, batchTimeMs: opts.batchTime };
  await runWithContext(
    globals,
    io,
    (ctx) => steer(ctx, options),
    (r, out) => {
      if (!output.quiet) out.outLines(steerSummary(r));
    },
    { command: 'steer', document: steerJson },
    () => checkSteerOptions(options),
  );
}

/** The row as it stands, flat, with what the command found. */
function steerJson(r: SteerResult): object {
  const { migration: _, ...steering } = r.steering;
  return { migration: r.migration, ...steering, wasPaused: r.wasPaused, running: r.running };
}
