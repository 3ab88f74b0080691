/** Human-readable output of --dry-run: each step's statements, in order, with the table locks they take. */
import type { DryRunStep } from '../engine/dry-run';

export function formatDryRun(command: 'up' | 'down', steps: DryRunStep[]): string[] {
  if (steps.length === 0) return [`Dry run of ${command}: nothing to ${command === 'up' ? 'apply' : 'revert'}.`];
  const lines = [`Dry run of ${command}: the steps below ran in one transaction that was then rolled back.`];
  if (steps.some((s) => s.phase)) {
    lines.push('For real, each step of a phased migration, and each batch, runs in a transaction of its own; a lock one of');
    lines.push('its steps takes that an earlier step here already held in a stronger mode is not shown again (dry-run `complete`');
    lines.push('once expanded to see the contract steps alone).');
  }
  for (const step of steps) {
    lines.push('', `${step.name} (${step.direction})${step.phase ? ` ${step.phase}: ${step.step}` : ''}`);
    if (step.batches) lines.push(`  one transaction per batch; ${step.batches} batch(es) here, the first one shown`);
    if (step.notRun) lines.push(`  not run: ${step.notRun}`);
    step.statements.forEach((s, i) => {
      const [first, ...rest] = s.sql.trim().split('\n');
      lines.push(`  ${i + 1}. ${first}`, ...rest.map((l) => `     ${l}`));
      for (const lock of s.locks) lines.push(`     → ${lock.mode} on ${lock.relation}`);
    });
    if (!step.notRun && step.statements.length === 0) lines.push('  (no statements)');
  }
  if (steps.length > 1) {
    lines.push('', 'A lock taken by an earlier step is already held and not shown again in a later one (use --to to look at one step).');
  }
  lines.push('', 'Rolled back: nothing was committed (no schema change, no history row).');
  return lines;
}
