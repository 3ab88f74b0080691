/**
 * Trying a transaction again when a lock was not granted within lock_timeout
 * (SQLSTATE 55P03). The transaction has then been rolled back whole, so trying
 * again is safe; the pause between tries grows (jittered, so colliding runs do
 * not stay in lockstep) and the tries stop when the lock budget is spent, or
 * after --lock-retries when that is given. The live application's queries never
 * queue behind us for longer than one lock_timeout at a time.
 *
 * When the failed attempt was seen waiting for a table (lock-wait-watcher.ts),
 * the retry does not pause blindly: `waitOutside` waits, outside the lock queue,
 * until no session holds or waits for a conflicting lock on that table
 * (queue-free-wait.ts), then asks again at once. A wait on something else (a
 * row) keeps the growing pauses.
 *
 * The first attempt of a step that takes table locks is a short probe
 * (first-attempt-probe.ts), so that even the first encounter with a long
 * transaction keeps the application queued for at most that probe.
 */
import { KonstructError, LockTimeoutError, MigrationFailedError } from '../errors';
import { formatSeconds } from '../db/session-info';
import { statementOf } from '../db/statement-errors';
import { backoffDelay, sleep } from '../db/backoff';
import { describeBlockers, describeWaitTarget, type LockWait } from './lock-wait-watcher';
import { probeTimeouts } from './first-attempt-probe';
import type { SessionTimeouts } from './session-timeouts';

export interface RetryOptions {
  timeouts: SessionTimeouts;
  /** Total time, in ms, one step may spend retrying after lock timeouts. */
  lockBudgetMs: number;
  /** At most this many retries (undefined: as many as the budget allows). */
  lockRetries?: number;
  log: (line: string) => void;
  /** Runs before each attempt, e.g. to check the migration lock is still held. */
  beforeAttempt?: () => Promise<void>;
  /** A statement run last in each work transaction, in one round trip with its COMMIT: raises LOCK_LOST_SQLSTATE unless the run still holds the migration lock (db/lock-fence.ts). */
  commitFence?: string;
}

/** What one attempt reports when it failed: the error, and the last lock wait the watcher saw. */
export interface AttemptFailure {
  error: unknown;
  wait?: LockWait;
}

/** Who is trying: `006_rbac_roles` or `006_rbac_roles [expand]`, and which way. */
export interface RetryLabel {
  /** Reported as the migration in errors. */
  migration: string;
  /** Shown in messages; the migration, or the migration and its step. */
  what: string;
  direction: 'up' | 'down';
  /** False for a step that runs outside a transaction: it is never retried. */
  transactional: boolean;
  /** A step in a transaction of its own that may take table locks (not a batch): its first attempt is a probe. */
  takesTableLocks?: boolean;
  /**
   * A step outside a transaction that only waits for older transactions (phased-migration.ts: waitsAside): its one
   * attempt waits up to --lock-budget, where that is longer than --lock-timeout (0, as long as it takes, stays 0).
   */
  waitsAside?: boolean;
}

/** The limits one attempt runs under, and whether it is a probe (first-attempt-probe.ts). */
export interface AttemptLimits {
  timeouts: SessionTimeouts;
  probe: boolean;
}

const RETRY_BACKOFF = { initialMs: 200, maxMs: 5_000 };
const LOCK_NOT_AVAILABLE = '55P03';

/** Waits outside the lock queue until nothing is in the way of `wait`, or `deadline` passes (then false). */
export type WaitOutside = (wait: LockWait & { relation: string }, deadline: number) => Promise<boolean>;

/** Runs `attempt` until it succeeds; resolves to the number of attempts. */
export async function retryOnLockTimeout(
  label: RetryLabel,
  options: RetryOptions,
  attempt: (limits: AttemptLimits) => Promise<AttemptFailure | undefined>,
  waitOutside?: WaitOutside,
): Promise<number> {
  const deadline = Date.now() + options.lockBudgetMs;
  // Every table an attempt of this step was seen waiting for (a step may lock several, one after the other).
  const learned = new Map<string, LockWait & { relation: string }>();
  let sawWait = false;
  for (let n = 1; ; n++) {
    await options.beforeAttempt?.();
    const probe = probeTimeouts(options.timeouts, { attempt: n, sawWait, takesTableLocks: label.transactional && label.takesTableLocks === true, lockRetries: options.lockRetries });
    const timeouts = probe ?? (label.waitsAside ? waitingAside(options) : options.timeouts);
    const probeAttempt = probe ? n : undefined;
    const failure = await attempt({ timeouts, probe: probe !== undefined });
    if (!failure) return n;

    const { error, wait } = failure;
    sawWait ||= wait !== undefined;
    if (error instanceof KonstructError) throw error;
    if ((error as { code?: string })?.code !== LOCK_NOT_AVAILABLE) {
      throw new MigrationFailedError(label.migration, label.direction, error, { transactional: label.transactional, statement: statementOf(error) });
    }
    const outside = waitOutside && wait?.relation ? { ...wait, relation: wait.relation } : undefined;
    if (outside) learned.set(outside.relation, outside);
    const delay = outside ? 0 : backoffDelay(n - 1, RETRY_BACKOFF);
    const retriesLeft = options.lockRetries === undefined || n <= options.lockRetries;
    const budgetSpent = Date.now() + delay > deadline;
    if (!label.transactional || !retriesLeft || budgetSpent) {
      throw lockTimeout(label, { attempts: n, wait, options, timeouts, probe: probeAttempt, cause: error, budgetSpent: budgetSpent && retriesLeft });
    }
    const within = `within ${lockTimeoutOf(timeouts, probeAttempt)}`;
    const of = options.lockRetries === undefined ? '' : ` of ${options.lockRetries + 1}`;
    if (outside) {
      options.log(
        `${label.what}: ${describeWaitTarget(outside)} not granted ${within}, blocked by ${describeBlockers(outside)}; ` +
          `rolled back; attempt ${n + 1}${of} asks once nothing holds or waits for a conflicting lock on ${outside.relation}`,
      );
      for (const target of learned.values()) {
        if (!(await waitOutside!(target, deadline))) {
          throw lockTimeout(label, { attempts: n, wait, options, timeouts, probe: probeAttempt, cause: error, budgetSpent: true });
        }
      }
      continue;
    }
    options.log(
      `${label.what}: ${wait ? `${describeWaitTarget(wait)} not granted ${within}, blocked by ${describeBlockers(wait)}` : `a lock was not granted ${within}`}; ` +
        `rolled back, retrying in ${formatSeconds(delay / 1000)} (attempt ${n + 1}${of})`,
    );
    await sleep(delay);
  }
}

function waitingAside({ timeouts, lockBudgetMs }: RetryOptions): SessionTimeouts {
  return timeouts.lockTimeoutMs === 0 ? timeouts : { ...timeouts, lockTimeoutMs: Math.max(timeouts.lockTimeoutMs, lockBudgetMs) };
}

/** `lock_timeout (0.5 s)`, `lock_timeout (50 ms, the first attempt's probe)`, or `(0.1 s, attempt 2's probe)`. */
function lockTimeoutOf(timeouts: SessionTimeouts, probeAttempt: number | undefined): string {
  return `lock_timeout (${formatTimeout(timeouts.lockTimeoutMs)}${probeAttempt ? `, ${probeOf(probeAttempt)}` : ''})`;
}

/** Which attempt a probe was (first-attempt-probe.ts: after an unseen wait, another, twice as long). */
const probeOf = (attempt: number) => (attempt === 1 ? "the first attempt's probe" : `attempt ${attempt}'s probe`);

/** Below 0.1 s in milliseconds (a probe's 50 ms would round to "0.1 s"), above in seconds. */
const formatTimeout = (ms: number) => (ms > 0 && ms < 100 ? `${ms} ms` : formatSeconds(ms / 1000));

/** What lets the next run wait longer: a step outside a transaction is never retried (found by review: it was told --lock-budget). */
function nextTry(label: RetryLabel): string {
  if (label.transactional) return 'allow more retries with --lock-budget';
  return label.waitsAside ? 'let it wait longer with --lock-budget (it carries on from this step)' : 'let it wait longer with --lock-timeout (it carries on from this step; 0: as long as it takes)';
}

function lockTimeout(
  label: RetryLabel,
  f: { attempts: number; wait?: LockWait; options: RetryOptions; timeouts: SessionTimeouts; probe: number | undefined; cause: unknown; budgetSpent: boolean },
): LockTimeoutError {
  const within = formatTimeout(f.timeouts.lockTimeoutMs);
  const outcome = label.transactional
    ? `${f.attempts} attempt(s)${f.budgetSpent ? ` in --lock-budget ${formatSeconds(f.options.lockBudgetMs / 1000)}` : ''}, each rolled back`
    : 'it runs outside a transaction, so what it did before that statement stays applied';
  return new LockTimeoutError(
    `${label.what} (${label.direction}) could not get ${f.wait ? describeWaitTarget(f.wait) : 'a lock'} within ${within} (lock_timeout${f.probe ? ` of ${probeOf(f.probe)}` : ''}; ${outcome})`,
    `${f.wait ? `It was blocked by ${describeBlockers(f.wait)}. ` : ''}Run again when that is done, or ${nextTry(label)}.`,
    f.cause,
  );
}
