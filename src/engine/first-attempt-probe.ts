/**
 * The first encounter with a long transaction (#22 item 1). Before a retry the
 * engine waits outside the lock queue (queue-free-wait.ts), but which table to
 * wait for is learned from an attempt that was seen waiting. So the first
 * attempt of a step still queues, and every application query that conflicts
 * queues behind it, for as long as its lock_timeout: 0.5 s by default.
 *
 * The first attempt is therefore a short probe: its lock_timeout is
 * PROBE_LOCK_TIMEOUT_MS (when --lock-timeout is longer), and the lock-wait
 * watcher looks often enough during it to see what it waits for. A probe that
 * is granted its locks is simply the step (the common case: nothing in the
 * way). One that is not is rolled back after at most PROBE_LOCK_TIMEOUT_MS of
 * application stall, the table it waited for is learned, and the next attempt
 * waits outside the queue first, then asks with the full --lock-timeout.
 *
 * Why a probe and not the tables known in advance (the other way to never
 * queue): a hand-written step's tables are known only to its own code (knex
 * builders, raw SQL); 006 is frozen history and declares none, and a declared
 * list that misses a table would queue silently. Learning stays exact and
 * needs nothing from the author; the probe bounds what learning costs.
 *
 * Only where it can help and cannot hurt:
 * - not for a batch: it takes row locks only, which no application read queues
 *   behind, and the queue-free wait cannot wait for a row;
 * - not outside a transaction (CREATE INDEX CONCURRENTLY): that is never retried;
 * - not when --lock-timeout is 0 (wait in the queue: asked for) or no longer
 *   than the probe, nor when no retry is left after it (--lock-retries 0: one
 *   attempt, with the lock_timeout given);
 * - again only while no attempt of the step was seen waiting, up to MAX_PROBES;
 *   once a wait was seen, the attempts that follow use the full lock_timeout.
 *
 * A probe whose wait went unseen was too short for this machine to watch (on
 * a busy one, the watcher's first look, which may open its connection, came
 * too late): the next probe is twice as long, 50, then 100, then 200 ms, still
 * shorter than --lock-timeout. Seen in the test suite under load: the first
 * probe unseen, the second seen only as its wait ended.
 */
import type { SessionTimeouts } from './session-timeouts';

/** The longest the application may queue behind a probe; the target for an open transaction is 100 ms. */
export const PROBE_LOCK_TIMEOUT_MS = 50;

/** Probes whose wait went unseen (the watcher looked too late) before falling back to full attempts. */
export const MAX_PROBES = 3;

/** Probe n's lock_timeout: PROBE_LOCK_TIMEOUT_MS, doubled for each probe before it (whose wait went unseen). */
export const probeLockTimeoutMs = (attempt: number) => PROBE_LOCK_TIMEOUT_MS * 2 ** (attempt - 1);

/** How the lock-wait watcher looks during a probe: soon and often, so a wait of PROBE_LOCK_TIMEOUT_MS is seen. */
export const PROBE_WATCH = { firstLookMs: 10, pollMs: 15 } as const;

export interface ProbeState {
  /** This attempt's number, from 1. */
  attempt: number;
  /** Whether an earlier attempt of the step was seen waiting for a lock (a table or a row). */
  sawWait: boolean;
  /** The step may take table locks in a transaction of its own (not a batch, not outside a transaction). */
  takesTableLocks: boolean;
  lockRetries?: number;
}

/** The limits of a probe attempt, or undefined when this attempt runs with the given ones. */
export function probeTimeouts(timeouts: SessionTimeouts, state: ProbeState): SessionTimeouts | undefined {
  const retryLeftAfterIt = state.lockRetries === undefined || state.attempt <= state.lockRetries;
  const probeMs = probeLockTimeoutMs(state.attempt);
  // 0 is "wait in the queue as long as it takes": asked for, so not cut short.
  const shorter = timeouts.lockTimeoutMs > probeMs;
  if (!state.takesTableLocks || !shorter || !retryLeftAfterIt || state.sawWait || state.attempt > MAX_PROBES) return undefined;
  return { ...timeouts, lockTimeoutMs: probeMs };
}
