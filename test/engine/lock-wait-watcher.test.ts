/** Which of two looks at a lock wait the watcher keeps (src/engine/lock-wait-watcher.ts); the watching itself is in test/safety/table-locks.test.ts. */
import { describe, expect, it } from 'vitest';
import { namesMore, type LockWait } from '../../src/engine/lock-wait-watcher';
import type { SessionInfo } from '../../src/db/session-info';

const reader: SessionInfo = { pid: 4242, applicationName: 'billing-worker', user: 'app', clientAddr: null, state: 'idle in transaction', transactionSeconds: 3, stateSeconds: 3 };
const wait = (blockers: SessionInfo[]): LockWait => ({ relation: 'portal_users', locktype: 'relation', mode: 'AccessExclusiveLock', blockers });

describe('the look the lock-wait watcher keeps', () => {
  it('a look that saw the wait as it ended (no blocker left) does not erase the blocker an earlier look named', () => {
    expect(namesMore(wait([]), wait([reader]))).toBe(false);
  });

  it('a later look that names blockers replaces the earlier one, as does any later look when the earlier named none', () => {
    expect(namesMore(wait([reader]), wait([reader]))).toBe(true);
    expect(namesMore(wait([reader]), wait([]))).toBe(true);
    expect(namesMore(wait([]), wait([]))).toBe(true);
  });
});
