/**
 * The probes' lengths as the retry loop uses them and as its lines and errors name them (src/engine/lock-retry.ts,
 * first-attempt-probe.ts), with attempts that fail as a lock timeout does: no database, nothing left to chance.
 * The patterns are the ones the tests against a real long transaction read (test/support/probe-messages.ts).
 */
import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../src/db/session-info';
import { retryOnLockTimeout, type AttemptFailure, type RetryLabel } from '../../src/engine/lock-retry';
import type { LockWait } from '../../src/engine/lock-wait-watcher';
import { LockTimeoutError } from '../../src/errors';
import { PROBE_LOCK_TIMEOUT, WITHIN_PROBE } from '../support/probe-messages';

const label: RetryLabel = { migration: '006_rbac_roles', what: '006_rbac_roles [expand]', direction: 'up', transactional: true, takesTableLocks: true };
const reader: SessionInfo = { pid: 4242, applicationName: 'billing-worker', user: 'app', clientAddr: null, state: 'idle in transaction', transactionSeconds: 3, stateSeconds: 3 };
const seen: LockWait = { relation: 'portal_users', locktype: 'relation', mode: 'AccessExclusiveLock', blockers: [reader] };
const lockTimeout = (): AttemptFailure['error'] => Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' });

/** Attempts that time out, their wait seen only at attempt `seenAt`; then the next one succeeds. */
function attempts(seenAt: number, lockTimeouts: number[]) {
  return async ({ timeouts }: { timeouts: { lockTimeoutMs: number } }): Promise<AttemptFailure | undefined> => {
    lockTimeouts.push(timeouts.lockTimeoutMs);
    if (lockTimeouts.length > seenAt) return undefined;
    return { error: lockTimeout(), wait: lockTimeouts.length === seenAt ? seen : undefined };
  };
}

describe('probes after unseen waits', () => {
  it("run 50 ms, then 0.1 s, then 0.2 s, and each line names its probe; once a wait is seen, the full lock_timeout", async () => {
    const lines: string[] = [];
    const lockTimeouts: number[] = [];
    const options = { timeouts: { lockTimeoutMs: 500, statementTimeoutMs: 0 }, lockBudgetMs: 60_000, log: (line: string) => lines.push(line) };
    expect(await retryOnLockTimeout(label, options, attempts(3, lockTimeouts), async () => true)).toBe(4);
    expect(lockTimeouts).toEqual([50, 100, 200, 500]);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`a lock was not granted within ${PROBE_LOCK_TIMEOUT}; rolled back, retrying`));
    expect(lines[0]).toContain("(50 ms, the first attempt's probe)");
    expect(lines[1]).toMatch(new RegExp(`a lock was not granted within ${PROBE_LOCK_TIMEOUT}; rolled back, retrying`));
    expect(lines[1]).toContain("(0.1 s, attempt 2's probe)");
    expect(lines[2]).toMatch(new RegExp(`AccessExclusiveLock on portal_users not granted within ${PROBE_LOCK_TIMEOUT}, blocked by pid 4242 \\("billing-worker"`));
    expect(lines[2]).toContain("(0.2 s, attempt 3's probe)");
  });

  it('when the wait outside the queue runs out of budget after a later probe, the error names that probe', async () => {
    const options = { timeouts: { lockTimeoutMs: 500, statementTimeoutMs: 0 }, lockBudgetMs: 30_000, log: () => {} };
    const failed = await retryOnLockTimeout(label, options, attempts(3, []), async () => false).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(LockTimeoutError);
    expect((failed as Error).message).toMatch(new RegExp(`could not get AccessExclusiveLock on portal_users ${WITHIN_PROBE}; 3 attempt\\(s\\) in --lock-budget 30 s`));
    expect((failed as Error).message).toContain("within 0.2 s (lock_timeout of attempt 3's probe;");
  });
});
