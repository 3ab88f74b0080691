/**
 * Migrations run in file order, and a history is only meaningful if every
 * database saw them in that order. Two files with the same number, or a
 * pending migration that sorts before an applied one (a branch merged late),
 * break that silently: `status` flags them and `up` refuses them unless told
 * (--allow-out-of-order). `new` refuses to create them in the first place.
 */
import path from 'node:path';
import { nextNumber } from '../history/migrations-folder';
import { KonstructError } from '../errors';
import { ExitCode } from '../exit-codes';
import type { AppliedMigration } from '../history/history-table';
import type { LocalMigration } from '../history/local-migrations';

export interface OrderProblem {
  problem: 'same-number' | 'out-of-order';
  /** The two migrations: for out-of-order, the pending one, then the applied one it sorts before. */
  migrations: [string, string];
  /** At least one of the two is pending: `up` would apply it out of order. */
  pending: boolean;
  message: string;
}

/** `up` applying a migration out of file order, without --allow-out-of-order. */
export class MigrationOrderError extends KonstructError {
  constructor(message: string, hint: string) {
    super(message, { exitCode: ExitCode.Usage, hint });
  }
}

const numberOf = (name: string) => name.split('_')[0]!;

export function orderProblems(local: LocalMigration[], history: AppliedMigration[]): OrderProblem[] {
  const applied = new Set(history.map((h) => h.name));
  const fileOf = (name: string) => {
    const m = local.find((l) => l.name === name);
    return m ? path.basename(m.file) : name;
  };
  const problems: OrderProblem[] = [];
  // local is sorted by name: files with the same number are neighbours.
  for (let i = 1; i < local.length; i++) {
    const [a, b] = [local[i - 1]!.name, local[i]!.name];
    if (numberOf(a) === numberOf(b)) {
      problems.push({
        problem: 'same-number',
        migrations: [a, b],
        pending: !applied.has(a) || !applied.has(b),
        message: `${fileOf(a)} and ${fileOf(b)} have the same number ${numberOf(a)}`,
      });
    }
  }
  const newestApplied = [...applied].sort().at(-1);
  for (const m of local) {
    if (!applied.has(m.name) && newestApplied !== undefined && m.name < newestApplied) {
      problems.push({
        problem: 'out-of-order',
        migrations: [m.name, newestApplied],
        pending: true,
        message: `${fileOf(m.name)} is pending but sorts before ${fileOf(newestApplied)}, which is applied`,
      });
    }
  }
  return problems;
}

/** Refuses before anything runs; names both files and the way out. */
export function assertInOrder(local: LocalMigration[], history: AppliedMigration[]): void {
  const problems = orderProblems(local, history).filter((p) => p.pending);
  if (problems.length === 0) return;
  const first = problems[0]!;
  const late = first.problem === 'out-of-order' ? first.migrations[0] : pendingOf(first, history);
  const renamed = `${nextNumber(local.map((m) => m.name))}_${late.slice(late.indexOf('_') + 1)}`;
  throw new MigrationOrderError(
    `${problems.map((p) => p.message).join('; ')}: up would apply migrations out of file order`,
    `Renumber it after the newest migration (e.g. ${late} -> ${renamed}), or pass --allow-out-of-order to apply it as it is. Nothing was changed.`,
  );
}

function pendingOf(problem: OrderProblem, history: AppliedMigration[]): string {
  const applied = new Set(history.map((h) => h.name));
  return problem.migrations.find((name) => !applied.has(name)) ?? problem.migrations[1];
}
