import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Vitest's default is one file at a time on a 2-core machine (cores - 1). Most test time is spent
    // waiting on PostgreSQL and spawned CLIs, not on this process, and every file has its own database,
    // so three files at once cut the suite from ~11 to ~7 minutes here (#26 item 5).
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
