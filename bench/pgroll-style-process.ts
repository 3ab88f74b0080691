/**
 * The pgroll-style `up` of 006 (pgroll-style-backfill.ts) as a process of its
 * own, so that the benchmark spawns and times it from spawn to exit like the
 * CLI's contenders (Node's start, loading, connecting, the work):
 * `DATABASE_URL=... node dist/bench/pgroll-style-process.js`. Its last line
 * of output is when each phase committed, as JSON.
 */
import { runPgrollStyleUp } from './pgroll-style-backfill';

void runPgrollStyleUp(process.env.DATABASE_URL ?? '').then(
  (phaseCommits) => {
    process.stdout.write(`${JSON.stringify(phaseCommits)}\n`);
  },
  (error: Error) => {
    process.stderr.write(`pgroll-style up failed: ${error.message}\n`);
    process.exitCode = 1;
  },
);
