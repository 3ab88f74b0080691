/**
 * sql { up, down }: what the other operations do not cover, run as written in
 * the expand transaction (`down` in its reverse). Keep it catalog-only on live
 * tables: it holds whatever locks it takes until expand commits.
 */
import type { OperationParts } from './parts';

export interface SqlOperation {
  up: string;
  down: string;
}

export function sql(op: SqlOperation): OperationParts {
  return { slots: { expand: { up: [op.up], down: [op.down] } } };
}
