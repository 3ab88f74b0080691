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
    // One file at a time (vitest's default on 2 cores). Three at once took the suite from 892 s to 580 s on an
    // idle machine (#26 item 5), CPU-bound (~18.5 CPU-minutes on 2 cores: no worker count gets it under ~9 min),
    // but a fresh-clone CI run then had the shared server stop answering new connections for about a minute.
    // Found since: the server's log went through a pipe into vitest, and a pipe not drained stalls every server
    // process that logs and every DROP DATABASE (now a file: test/support/server-process.ts); every DROP DATABASE
    // also forces a checkpoint and waits for each backend of the server to answer a barrier, so one client stuck
    // mid-login holds all drops for up to authentication_timeout (60 s). Not shown to be that minute, which did not
    // come back in two partial runs with three at once. What the server log (konstruct-test-pg-<pid>.log) showed in a
    // run with two at once (2026-12-07): the benchmark's templates (bench/templates.ts) run a database-wide
    // VACUUM (FULL, FREEZE, ANALYZE), which also rewrites the shared catalog pg_database and so asks for its
    // ACCESS EXCLUSIVE lock. A session of transaction-pooling's concurrent `up`s held a lock on pg_database in its
    // transaction; queued behind the VACUUM's request, every new connection to any database of the server waited
    // (logging in reads pg_database), until the run was stopped 70 s later. If that transaction's process was itself
    // waiting for a new connection, nothing ends it: a cycle the server cannot see. Reproduced by hand: a new
    // connection waited out a 6 s transaction that had read pg_database; with the VACUUM naming its table, 0.16 s.
    // So CI stays at one until that VACUUM names its tables; then two at once (VITEST_MAX_WORKERS=2): with it naming
    // portal_users (a local change), the 30 heaviest files ran two at once with no wait on pg_database in the log,
    // and no lock wait over 4 s but the benchmark's own open-transaction scenario.
    // At load 13-24 (other jobs), three at once failed steering's pause test on its 60 s timeout.
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? 1),
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
