/**
 * Every command, run on two databases built the same way — one reached
 * directly, one through a pooler — must print the same and exit the same.
 * Only what differs between any two runs (durations, times, ports, names) is
 * masked before comparing.
 */
import { expect } from 'vitest';
import { runCli, type CliResult } from '../support/cli';
import type { PooledDatabase } from '../support/pooled-databases';
import type { TestDatabase } from '../support/test-database';

export const EVERY_COMMAND: Array<{ args: string[]; before?: (db: TestDatabase) => Promise<void> }> = [
  { args: ['status'] },
  { args: ['status', '--json', '--check'] },
  { args: ['up', '--dry-run'] },
  { args: ['up', '--dry-run', '--json'] },
  { args: ['up', '--to', '005'] },
  { args: ['status', '--check'] },
  { args: ['up', '--json'] },
  { args: ['verify'] },
  { args: ['verify', '--json'] },
  { args: ['down', '--dry-run'] },
  { args: ['down', '--dry-run', '--json'] },
  { args: ['down', '--yes', '--json'] },
  { args: ['down', '--yes'] },
  // Phased: 006 expanded and held, then completed.
  { args: ['up', '--expand'] },
  { args: ['status', '--json'] },
  { args: ['complete', '--dry-run'] },
  { args: ['complete'] },
  { args: ['up', '-q'] },
  // A schema built without this tool's history: adopted with baseline.
  { args: ['baseline', '--to', '006', '--dry-run'], before: (db) => db.knex.raw('DROP TABLE knex_migrations, knex_migrations_lock') },
  { args: ['baseline', '--to', '006', '--json'] },
  { args: ['status'] },
];

function masked(run: CliResult, db: TestDatabase, url: string): string {
  const port = new URL(url).port;
  return `exit ${run.code}\n${run.stdout}\n${run.stderr}`
    .replaceAll(db.name, '<db>')
    .replaceAll(port, '<port>')
    .replace(/"(durationMs|ms|appliedAt|migrationTime|applied_at|at)":\s*("[^"]*"|[\d.]+)/g, '"$1":<t>')
    .replace(/\d{4}-\d\d-\d\d[T ][\d:.]+(Z|[+-]\d\d(:\d\d)?)?/g, '<time>')
    .replace(/\b\d+(\.\d+)? ?(ms|s)\b/g, '<t>')
    .replace(/pid \d+/g, 'pid <n>');
}

/** Runs EVERY_COMMAND on both databases, in order, comparing each pair of runs. */
export async function expectSameAsDirect(direct: TestDatabase, pooled: PooledDatabase): Promise<void> {
  for (const step of EVERY_COMMAND) {
    await step.before?.(direct);
    await step.before?.(pooled.db);
    // The two databases are independent: the pair runs at once, and the suite waits for one run instead of two.
    const [a, b] = await Promise.all([direct.url, pooled.url].map((url) => runCli(step.args, { env: { DATABASE_URL: url }, timeoutMs: 120_000 })));
    expect(a.code, `${step.args.join(' ')} (direct): ${a.stderr}`).toBeLessThan(4);
    expect(masked(b, pooled.db, pooled.url), `konstruct-migrate ${step.args.join(' ')} through the pooler`).toBe(masked(a, direct, direct.url));
  }
}
