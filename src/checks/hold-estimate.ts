/**
 * How long the blocking lock of a finding is held at a table's size: rows
 * divided by the rate PostgreSQL did that work on the benchmark machine (2
 * cores, PostgreSQL 15, portal_users rows of ~120 bytes; see
 * docs/checking-migrations.md for the measurements). A rough figure: disks,
 * row widths and concurrent load change it several-fold.
 */
import type { Why } from './finding';

const ROWS_PER_SECOND: Record<Why, number | null> = {
  rewrite: 1_000_000,
  'index build': 1_500_000,
  scan: 8_000_000,
  'rows locked': 400_000,
  // Catalog-only: the lock is short; the harm is to the running application version.
  'breaking change': null,
};

export function estimatedHoldSeconds(why: Why, rows: number): number | null {
  const rate = ROWS_PER_SECOND[why];
  return rate === null ? null : Math.round((rows / rate) * 100) / 100;
}
