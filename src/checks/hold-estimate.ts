/**
 * How long the blocking lock of a finding is held at a table's size: rows
 * divided by the rate PostgreSQL did that work at 1M rows on the benchmark
 * machine (2 cores, PostgreSQL 15, portal_users-like rows of ~190 bytes, the
 * machine loaded by other work: docs/checking-migrations.md has the table).
 * Conservative: an idle server is several times faster.
 */
import type { Why } from './finding';

const ROWS_PER_SECOND: Record<Why, number | null> = {
  // 27.6 s (type change USING), 51.5 s (volatile default), 27.2 s (VACUUM FULL) per 1M rows.
  rewrite: 30_000,
  // 5.4 s per 1M rows.
  'index build': 185_000,
  // 2.3 s (CHECK), 1.2 s (FOREIGN KEY), 1.1 s (SET NOT NULL) per 1M rows.
  scan: 430_000,
  // 117 s per 1M rows.
  'rows locked': 8_500,
  // Catalog-only: the lock is short; the harm is to the running application version.
  'breaking change': null,
};

export function estimatedHoldSeconds(why: Why, rows: number): number | null {
  const rate = ROWS_PER_SECOND[why];
  return rate === null ? null : Math.round((rows / rate) * 100) / 100;
}
