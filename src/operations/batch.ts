/**
 * batch { table, name, up, down? }: a custom batched step in the backfill phase,
 * run by the engine over the table's heap pages (page-backfill.ts). `up` and
 * `down` are each one SQL statement with `{pages}` where the batch's page range
 * goes, as an AND term: `UPDATE t SET ... WHERE {pages} AND ...`. Each must be
 * safe to run again (a killed run redoes its last batch). Its writes fire the
 * sync triggers as an application's would: a row it changes gets the new shape
 * filled (a column swap's new column, a NOT NULL column added with `up`, both
 * held by a NOT VALID CHECK on every write) and follows what it wrote.
 */
import type { BatchedStep } from '../phased/phased-migration';
import { pageBatches, PAGES } from './page-backfill';
import type { OperationParts } from './parts';

export interface BatchOperation {
  table: string;
  name: string;
  up?: string;
  down?: string;
}

export function batch(op: BatchOperation): OperationParts {
  for (const statement of [op.up, op.down]) {
    if (statement !== undefined && !statement.includes(PAGES)) throw new Error(`batch "${op.name}": each statement needs ${PAGES} where the page range goes`);
  }
  const [up, down] = [op.up, op.down].map((s) => (s === undefined ? undefined : pageBatches(op.table, s, { laterWritesFilled: false, seenBySyncTriggers: true })));
  const step: BatchedStep & { statements: { up: string[]; down: string[] } } = {
    phase: 'backfill',
    name: op.name,
    statements: { up: op.up ? [op.up] : [], down: op.down ? [op.down] : [] },
    batch: { up: up?.run, down: down?.run, estimateRows: (up ?? down)?.estimateRows },
  };
  return { batches: [step] };
}
