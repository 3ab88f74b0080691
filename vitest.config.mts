import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Measuring where the CPU goes (test/support/cpu-accounting.ts): a JSON line per file in that file.
    setupFiles: process.env.KONSTRUCT_TEST_CPU_LOG ? ['test/support/cpu-accounting.ts'] : [],
    pool: 'forks',
    // One worker process runs file after file, instead of a new one per file: a fresh worker cost 0.67 CPU-s more a
    // file (40 short files: 45.5 against 18.8 CPU-s, whole runs; #26 item 5), ~90 CPU-s a suite of 134. The files
    // then share the modules they import, not their state: none sets process.env, changes directory or mocks a
    // module. What does carry over is a module's own memory, e.g. src/db/redact.ts's set of the tool's phrases;
    // the whole suite passed this way (2026-12-07). `--isolate` on the command line gives each file its own again.
    isolate: false,
    // Two files at once on CI's 2 cores (VITEST_MAX_WORKERS overrides). The suite is CPU-bound (#26 item 5:
    // KONSTRUCT_TEST_CPU_LOG shows where: spawned CLI runs ~45 %, the shared server ~37 %). Two earlier stalls of
    // the shared server with more than one file at once were found and removed: its log went through a pipe into
    // vitest, and a pipe not drained stalls every server process that logs (now a file, test/support/server-process.ts);
    // and the benchmark's templates ran a database-wide VACUUM FULL, which rewrites the shared catalog pg_database
    // under an ACCESS EXCLUSIVE lock, so every new login to any database queued behind it, behind another file's
    // transaction that had read pg_database (now it names portal_users: bench/templates.ts). The server's log,
    // /tmp/konstruct-test-pg-<pid>.log, records lock waits with their holder if a stall comes back.
    // Three workers were tried (2026-12-07) on 8 files with waits in them (crash-resume, health-throttle, table-locks,
    // drain-gate, session-pooling, knex-cli, phased-cli, alter-column-type), shared machine, load 2-5: wall 128 / 125 s
    // with two, 99 / 124 s with three, and 5-10 % more CPU with three (user+sys 138 / 138 s against 145 / 153 s).
    // No clear gain, and on an idle 2-core machine the extra CPU would take it back: two stays the default.
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? 2),
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
