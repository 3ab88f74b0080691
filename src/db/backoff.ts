/**
 * Jittered exponential backoff, shared by every "try again later" loop: waiting
 * for the migration lock, retrying a migration whose table lock timed out, and
 * waiting for the database to accept connections. The jitter keeps several
 * pipelines that collided once from colliding again in lockstep.
 */
export interface BackoffPolicy {
  /** Delay before the first retry, before jitter. */
  initialMs: number;
  /** Upper bound of any single delay. */
  maxMs: number;
}

/** The delay before retry number `attempt` (0-based): uniformly random in [d/2, d], d = initial * 2^attempt, capped. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
