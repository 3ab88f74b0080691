/**
 * `baseline` on the command line: its definition, and the action that runs the
 * library function in src/commands/baseline.ts. What only a run needs is
 * imported inside the action, with import(), so that --help loads none of it
 * (scripts/bundle-cli.ts).
 */
import type { Command, OptionValues } from 'commander';
import type { BaselineResult } from '../../commands/baseline';
import type { Io } from '../io';
import { jsonOption, migrationOption } from '../shared-options';

export function registerBaseline(program: Command, io: Io): void {
  program
    .command('baseline')
    .description('adopt an existing schema: record its migration and all before it as applied, without running them')
    .option('--from-alembic', "take the migration from Alembic's alembic_version (005 or 006)")
    .addOption(migrationOption('--to <migration>', 'the migration the schema is at, for a database without Alembic'))
    .option('--dry-run', 'show what would be recorded; change nothing')
    .option('--force', 'record even if the history has entries or the schema differs from the migration')
    .option('--drop-alembic-version', 'also drop alembic_version (kept by default, so Alembic can take over again)')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nThe live schema is checked first (as `verify --against <migration>` does); on any difference\n' +
        'nothing is recorded and the differences are listed. Everything is recorded in one transaction.\n' +
        '\nExamples:\n  konstruct-migrate baseline --from-alembic --dry-run\n  konstruct-migrate baseline --from-alembic\n' +
        '  konstruct-migrate baseline --to 005\n' +
        '\nRefusals: 8 the history already has entries, or alembic_version is missing, empty, has several\n' +
        '  heads or an unknown revision; 9 the schema differs from the migration; 2 bad flags.',
    )
    .action((opts, cmd: Command) => runBaseline(opts, cmd, io));
}

async function runBaseline(opts: OptionValues, cmd: Command, io: Io): Promise<void> {
  const [{ baseline }, { checkBaseline }, { runWithContext }] = await Promise.all([
    import('../../commands/baseline.js'),
    import('../../commands/preflight.js'),
    import('../run-command.js'),
  ]);
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

function formatBaseline(r: BaselineResult): string[] {
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
