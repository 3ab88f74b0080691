import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // One file at a time (vitest's default on 2 cores). Three at once took the suite from 661 s to 438 s here
    // (#26 item 5), but a fresh-clone CI run then had the shared server stop answering new connections for about
    // a minute (acquire timeouts in three files) while files ran side by side; until that is understood, CI runs
    // files one by one. VITEST_MAX_WORKERS=3 npm test runs three at once locally.
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? 1),
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
