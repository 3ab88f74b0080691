/**
 * The action shared by `up` and `complete`: both apply steps forward and report
 * an UpResult, so they show the same live progress, print a dry run the same
 * way and give the same --json document. Only the library call, the summary
 * line and what can be checked before connecting differ.
 */
import type { Command } from 'commander';
import type { KonstructConfig } from '../config/config';
import type { MigrationContext } from '../context';
import type { UpResult } from '../commands/up';
import type { StepListener } from '../engine/step-events';
import { upJson } from './json-output';
import { acceptedLine } from '../checks/accepted-findings';
import { outputOptions } from './output/output-options';
import type { Style } from './output/colors';
import { withStepProgress } from './output/step-progress';
import { formatDryRun } from './print-dry-run';
import { runWithContext, type Io } from './run-command';
import { backfillEpisodes } from './backfill-episodes';

export interface ApplyCommand {
  command: 'up' | 'complete';
  apply: (ctx: MigrationContext, onStep: StepListener) => Promise<UpResult>;
  summary: (result: UpResult, style: Style) => string;
  preflight?: (config: KonstructConfig) => void;
}

export async function runApplyCommand(cmd: Command, io: Io, { command, apply, summary, preflight }: ApplyCommand): Promise<void> {
  // `complete --wait` (no seconds) is the drain wait, read by complete's own action, not a connection wait.
  const globals = command === 'complete' && cmd.optsWithGlobals().wait === true ? { ...cmd.optsWithGlobals(), wait: undefined } : cmd.optsWithGlobals();
  const output = outputOptions(globals);
  const episodes = backfillEpisodes();
  await runWithContext(
    globals,
    io,
    (ctx, live) => withStepProgress(live, output, (onStep) => apply(ctx, episodes.listen(onStep))),
    (r, out) => {
      if (output.quiet) return;
      if (r.dryRun) out.outLines([...formatDryRun('up', r.dryRun), ...(r.accepted ?? []).map((a) => `Accepted finding: ${acceptedLine(a)}`)]);
      else out.out(summary(r, output.style));
    },
    { command, document: (r) => episodes.addTo(upJson(r)) },
    preflight,
  );
}
