/**
 * --lock-timeout and --statement-timeout in PostgreSQL's milliseconds: 0 is
 * "wait forever" to PostgreSQL, so a limit above 0 never becomes 0, and a value
 * PostgreSQL would refuse (above INT_MAX ms) is a usage error, not a failure
 * once connected.
 */
import { describe, expect, it } from 'vitest';
import { sessionTimeouts } from '../../src/engine/session-timeouts';
import { ConfigError } from '../../src/errors';
import { ExitCode } from '../../src/exit-codes';

describe('sessionTimeouts', () => {
  it('keeps a limit above 0 above 0 ms, however small', () => {
    expect(sessionTimeouts({ lockTimeout: 0.0001, statementTimeout: 0.0004 })).toEqual({ lockTimeoutMs: 1, statementTimeoutMs: 1 });
    expect(sessionTimeouts({ lockTimeout: Number.MIN_VALUE, statementTimeout: 0.0015 })).toEqual({ lockTimeoutMs: 1, statementTimeoutMs: 2 });
  });

  it('keeps 0 as 0 (wait indefinitely / off) and converts the rest to whole milliseconds', () => {
    expect(sessionTimeouts({ lockTimeout: 0, statementTimeout: 0 })).toEqual({ lockTimeoutMs: 0, statementTimeoutMs: 0 });
    expect(sessionTimeouts({ lockTimeout: 0.5, statementTimeout: 2147483.647 })).toEqual({ lockTimeoutMs: 500, statementTimeoutMs: 2147483647 });
  });

  it.each([
    [{ lockTimeout: 1e10, statementTimeout: 0 }, '--lock-timeout is 10000000000, outside what PostgreSQL accepts (0 to 2147483.647 seconds).'],
    [{ lockTimeout: 0.5, statementTimeout: -1 }, '--statement-timeout is -1, outside what PostgreSQL accepts (0 to 2147483.647 seconds).'],
    [{ lockTimeout: Number.NaN, statementTimeout: 0 }, '--lock-timeout is NaN, outside what PostgreSQL accepts (0 to 2147483.647 seconds).'],
  ])('refuses %o as a usage error', (seconds, message) => {
    let thrown: unknown;
    try {
      sessionTimeouts(seconds);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).message).toBe(message);
    expect((thrown as ConfigError).exitCode).toBe(ExitCode.Usage);
  });
});
