/**
 * Operation[] -> the phased steps the engine runs (phased-migration.ts).
 *
 * Operations on one table share one expand, one backfill pass, one sync
 * trigger and one contract. Going up the steps are:
 *   expand          every operation's expand, then each table's sync trigger (one transaction);
 *   create index    one step each, outside a transaction;
 *   backfill        `batch` operations; then per table one pass by heap pages filling every new column (page-backfill.ts: tableFill);
 *   build index     one step each, outside a transaction (a column swap's indexes on its new column);
 *   restore not null, validate, set not null   (transactions; see parts.ts: Slot);
 *   restore         per table, going down only: refill what contract dropped;
 *   contract        each table's sync trigger goes, then every operation's contract;
 *   drop index      one step each, outside a transaction.
 * Each step's down is the exact reverse of its up, the operations' in reverse order.
 * A step with nothing to do either way is left out.
 */
import type { Knex } from 'knex';
import type { PhaseName, PhasedStep, StepStatements } from '../phased/phased-migration';
import { runConcurrent } from './concurrent-step';
import { tableFill } from './page-backfill';
import type { Fill, OperationParts, OutsideWork, Slot, Statements, SyncRule } from './parts';
import { syncTrigger } from './sync-trigger';

export interface CompiledOperation {
  /** e.g. "addColumn portal_users.role", for step names. */
  label: string;
  /** In order; an operation made of several parts (e.g. a column, then its constraints) lists each. */
  parts: OperationParts[];
}

function transactionStep(phase: PhaseName, name: string, statements: StepStatements): PhasedStep {
  const run = (list: readonly string[]) => async (knex: Knex) => {
    for (const statement of list) await knex.raw(statement);
  };
  return { phase, name, statements, up: run(statements.up), down: run(statements.down) };
}

function merged(all: readonly OperationParts[], slot: Slot): Statements {
  return {
    up: all.flatMap((p) => p.slots?.[slot]?.up ?? []),
    down: [...all].reverse().flatMap((p) => p.slots?.[slot]?.down ?? []),
  };
}

/** Per table, in order of first mention: its rules and fills. */
function byTable<T>(all: readonly OperationParts[], pick: (p: OperationParts) => T[] | undefined): Array<[string, T[]]> {
  const tables = new Map<string, T[]>();
  for (const p of all) {
    const items = pick(p) ?? [];
    if (p.table && items.length) tables.set(p.table, [...(tables.get(p.table) ?? []), ...items]);
  }
  return [...tables];
}

function batchedStep(phase: PhaseName, name: string, table: string, fills: Fill[], direction: 'up' | 'down'): PhasedStep {
  const batches = tableFill(table, fills);
  return {
    phase,
    name,
    statements: { up: direction === 'up' ? [batches.statement] : [], down: direction === 'down' ? [batches.statement] : [] },
    batch: { [direction]: batches.run, estimateRows: batches.estimateRows },
  };
}

export function compileParts(operations: readonly CompiledOperation[]): PhasedStep[] {
  const all = operations.flatMap((o) => o.parts);
  const names = (filter: (p: OperationParts) => boolean) => operations.filter((o) => o.parts.some(filter)).map((o) => o.label).join(', ');
  const triggers = byTable<SyncRule>(all, (p) => p.rules).map(([table, rules]) => syncTrigger(table, rules));
  const expand = merged(all, 'expand');
  const contract = merged(all, 'contract');
  const steps: PhasedStep[] = [];
  const add = (phase: PhaseName, name: string, s: Statements) => {
    if (s.up.length || s.down.length) steps.push(transactionStep(phase, name, s));
  };
  // Named by their operations alone: progress prints each step after its phase ("expand: renameColumn t.a").
  add('expand', names((p) => !!(p.slots?.expand || p.rules?.length)), {
    up: [...expand.up, ...triggers.flatMap((t) => t.create)],
    down: [...triggers.flatMap((t) => t.drop), ...expand.down],
  });
  const outside = (phase: OutsideWork['phase']) =>
    all.flatMap((p) => p.outside ?? []).filter((w) => w.phase === phase).map((w): PhasedStep => ({
      phase, name: w.name, outsideTransaction: true, inTransactionForm: true, waitsAside: true,
      statements: { up: [w.up.sql], down: [w.down.sql] },
      up: (knex) => runConcurrent(knex, w.up),
      down: (knex) => runConcurrent(knex, w.down),
    }));
  steps.push(...outside('expand'));
  steps.push(...all.flatMap((p) => p.batches ?? []));
  for (const [table, fills] of byTable(all, (p) => p.fillUp)) steps.push(batchedStep('backfill', `fill ${table}: ${fills.map((f) => f.column).join(', ')}`, table, fills, 'up'));
  steps.push(...outside('backfill'));
  add('contract', 'restore NOT NULL (going down)', merged(all, 'restoreNotNull'));
  add('contract', 'validate constraints', merged(all, 'validate'));
  add('contract', 'set NOT NULL', merged(all, 'setNotNull'));
  for (const [table, fills] of byTable(all, (p) => p.fillDown)) steps.push(batchedStep('contract', `refill ${table}: ${fills.map((f) => f.column).join(', ')} (going down)`, table, fills, 'down'));
  add('contract', names((p) => !!(p.slots?.contract || p.rules?.length)), {
    up: [...triggers.flatMap((t) => t.drop), ...contract.up],
    down: [...contract.down, ...triggers.flatMap((t) => t.create)],
  });
  steps.push(...outside('contract'));
  return steps;
}
