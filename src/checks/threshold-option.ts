/** The size threshold as typed on the command line: a whole number of rows (1_000_000 and 1,000,000 are read too). */
import { InvalidArgumentError } from 'commander';

export function parseRows(value: string): number {
  const rows = Number(value.replace(/[_,]/g, ''));
  if (!Number.isInteger(rows) || rows < 0) throw new InvalidArgumentError('expected a whole number of rows, e.g. 100000.');
  return rows;
}
