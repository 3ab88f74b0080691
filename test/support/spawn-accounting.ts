/**
 * The CPU of the CLI processes this process spawned (cli.ts), apart from its other children, for
 * cpu-accounting.ts. Only when KONSTRUCT_TEST_CPU_LOG is set; otherwise nothing is read.
 *
 * A child's CPU is added to this process's cutime+cstime (/proc/self/stat) when it is reaped, just
 * before its 'exit' event: the growth seen at that event is the child's. Two children reaped
 * together are both counted for the first one's kind (rare: almost all spawns are awaited one by one).
 */
import { readFileSync } from 'node:fs';

const enabled = Boolean(process.env.KONSTRUCT_TEST_CPU_LOG);
const totals = { cliTicks: 0, cliSpawns: 0 };
let lastChildren = enabled ? reapedChildrenTicks() : 0;

function reapedChildrenTicks(): number {
  const text = readFileSync('/proc/self/stat', 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
  return fields[13]! + fields[14]!;
}

/** Called at a spawned process's exit; `isCli`: it ran the built CLI. */
export function childExited(isCli: boolean): void {
  if (!enabled) return;
  const now = reapedChildrenTicks();
  if (isCli) {
    totals.cliTicks += now - lastChildren;
    totals.cliSpawns += 1;
  }
  lastChildren = now;
}

export function spawnedCpu(): { cliTicks: number; cliSpawns: number } {
  return { ...totals };
}
