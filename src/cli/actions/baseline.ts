/** What `baseline` runs (its definition: ../commands/baseline.ts): the library function in src/commands/baseline.ts. */
import type { Command, OptionValues } from 'commander';
import { baseline, type BaselineResult } from '../../commands/baseline';
import { checkBaseline } from '../../commands/preflight';
import { runWithContext, type Io } from '../run-command';

export async function runBaseline(opts: OptionValues, cmd: Command, io: Io): Promise<void> {
  const global = cmd.optsWithGlobals();
  const options = {
    fromAlembic: opts.fromAlembic,
    to: opts.to,
    dryRun: opts.dryRun,
    force: opts.force,
    dropAlembicVersion: opts.dropAlembicVersion,
  };
  await runWithContext(
    global,
    io,
    (ctx) => baseline(ctx, options),
    (result, out) => {
      if (!global.quiet) out.outLines(formatBaseline(result));
    },
    { command: 'baseline' },
    (config) => checkBaseline(config, options),
  );
}

export function formatBaseline(r: BaselineResult): string[] {
  const from = r.alembicRevision === null ? `--to ${r.migration}` : `alembic_version ${r.alembicRevision}`;
  const lines: string[] = [];
  if (r.recorded.length === 0) {
    lines.push(`Nothing to record: the history already has every migration up to ${r.migration}.`);
  } else {
    const verb = r.dryRun ? 'Dry run: would record' : 'Recorded';
    lines.push(`${verb} ${r.recorded.length} migration(s) as applied (batch ${r.batch}, from ${from}), without running them:`);
    lines.push(...r.recorded.map((name) => `  ✓ ${name}`));
  }
  if (r.alreadyRecorded.length > 0) lines.push(`Already in the history, left as they were: ${r.alreadyRecorded.join(', ')}.`);
  if (r.ignoredDifferences.length === 0) lines.push(`The schema matches what ${r.migration} produces.`);
  else lines.push(`The schema differs from what ${r.migration} produces (ignored, --force):`, ...r.ignoredDifferences.map((d) => `  ${d.message}`));
  if (r.alembicRevision !== null) {
    const dropped = r.dryRun ? 'alembic_version would be dropped.' : 'alembic_version was dropped.';
    lines.push(r.alembicVersionDropped ? dropped : 'alembic_version is left as it is (--drop-alembic-version removes it once Alembic is retired).');
  }
  if (r.dryRun) lines.push('Nothing was changed.');
  return lines;
}
