/** Which attempts are short probes (src/engine/first-attempt-probe.ts); the behaviour against a real long transaction is in test/safety/table-locks.test.ts. */
import { describe, expect, it } from 'vitest';
import { MAX_PROBES, PROBE_LOCK_TIMEOUT_MS, probeTimeouts, type ProbeState } from '../../src/engine/first-attempt-probe';

const timeouts = { lockTimeoutMs: 500, statementTimeoutMs: 0 };
const first: ProbeState = { attempt: 1, sawWait: false, takesTableLocks: true };

describe('the first attempt as a short probe', () => {
  it("a step's first attempt runs with the probe's lock_timeout; the statement_timeout is kept", () => {
    expect(probeTimeouts(timeouts, first)).toEqual({ lockTimeoutMs: PROBE_LOCK_TIMEOUT_MS, statementTimeoutMs: 0 });
    expect(probeTimeouts({ lockTimeoutMs: 120_000, statementTimeoutMs: 9_000 }, first)).toEqual({ lockTimeoutMs: 50, statementTimeoutMs: 9_000 });
  });

  it('once an attempt was seen waiting, the next runs with the full lock_timeout (it waits outside the queue first)', () => {
    expect(probeTimeouts(timeouts, { ...first, attempt: 2, sawWait: true })).toBeUndefined();
  });

  it(`a probe whose wait went unseen is tried again, twice as long each time, up to ${MAX_PROBES} probes`, () => {
    expect(MAX_PROBES).toBe(3);
    expect(probeTimeouts(timeouts, { ...first, attempt: 2 })?.lockTimeoutMs).toBe(100);
    expect(probeTimeouts(timeouts, { ...first, attempt: 3 })?.lockTimeoutMs).toBe(200);
    expect(probeTimeouts(timeouts, { ...first, attempt: 4 })).toBeUndefined();
  });

  it('a longer probe only while it stays shorter than --lock-timeout: then the attempt runs with the lock_timeout given', () => {
    const short = { lockTimeoutMs: 150, statementTimeoutMs: 0 };
    expect(probeTimeouts(short, { ...first, attempt: 2 })?.lockTimeoutMs).toBe(100);
    expect(probeTimeouts(short, { ...first, attempt: 3 })).toBeUndefined();
  });

  it('no probe for a batch (row locks only) or a step outside a transaction', () => {
    expect(probeTimeouts(timeouts, { ...first, takesTableLocks: false })).toBeUndefined();
  });

  it('no probe when --lock-timeout is 0 (wait in the queue) or no longer than the probe', () => {
    expect(probeTimeouts({ lockTimeoutMs: 0, statementTimeoutMs: 0 }, first)).toBeUndefined();
    expect(probeTimeouts({ lockTimeoutMs: PROBE_LOCK_TIMEOUT_MS, statementTimeoutMs: 0 }, first)).toBeUndefined();
  });

  it('no probe when no retry would be left after it: --lock-retries 0 is one attempt with the lock_timeout given', () => {
    expect(probeTimeouts(timeouts, { ...first, lockRetries: 0 })).toBeUndefined();
    expect(probeTimeouts(timeouts, { ...first, lockRetries: 1 })).toBeDefined();
    expect(probeTimeouts(timeouts, { ...first, attempt: 2, lockRetries: 1 })).toBeUndefined();
  });
});
