/**
 * Tools some tests need from the machine beyond npm: pgbouncer, a pg_dump of the
 * server's major, openssl, `script`. On a developer's machine a missing one skips
 * the tests that need it, saying why. Under `CI` it fails the run instead: `.ci/run`
 * installs them, so a missing one there is a gap in CI that a skip would hide.
 */
import { spawnSync } from 'node:child_process';
import { it, type TestContext } from 'vitest';

/** `CI` as CI services set it (any value but empty, 0 or false), like the CLI's own guard. */
export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

const failureUnderCi = (missing: string) => new Error(`${missing} (CI is set, so the tests that need it fail instead of skipping: .ci/run installs it)`);

/**
 * For `describe.skipIf` / `it.skipIf` at a file's top level: true (skip) when `missing`
 * says what is missing. Under CI it also adds a test that fails, saying what is missing.
 */
export function skipWithout(what: string, missing: string | undefined): boolean {
  if (missing === undefined) return false;
  if (underCi()) {
    it(`has ${what}`, () => {
      throw failureUnderCi(missing);
    });
  } else {
    process.stderr.write(`[tests] skipping the tests that need ${what}: ${missing}\n`);
  }
  return true;
}

/** Inside a running test: skips it saying why, or under CI fails it. */
export function skipOrFailUnderCi(t: TestContext, missing: string): void {
  if (underCi()) throw failureUnderCi(missing);
  t.skip(missing);
}

/** `script` (Debian's bsdutils), which runs the CLI on a pseudo-terminal (cli.ts runOnTerminal): skip or, under CI, fail without it. */
export function skipWithoutScript(): boolean {
  const present = spawnSync('script', ['--version']).status === 0;
  return skipWithout('`script`, for a pseudo-terminal', present ? undefined : 'script is not installed (Debian package bsdutils)');
}
