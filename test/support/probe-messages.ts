/**
 * How the CLI names a probe's lock_timeout (src/engine/first-attempt-probe.ts), as regular-expression source: the
 * first attempt's probe, or, when the machine was too busy to see its wait, a later one twice as long. Written out,
 * not computed from the engine's constants, so that a change to the probes' lengths fails the tests that read them.
 */

/** In a retry's line: `lock_timeout (50 ms, the first attempt's probe)`. */
export const PROBE_LOCK_TIMEOUT = String.raw`lock_timeout \((?:50 ms, the first attempt's|0\.1 s, attempt 2's|0\.2 s, attempt 3's) probe\)`;

/** In the error when the budget is spent: `within 50 ms (lock_timeout of the first attempt's probe`. */
export const WITHIN_PROBE = String.raw`within (?:50 ms \(lock_timeout of the first attempt's|0\.1 s \(lock_timeout of attempt 2's|0\.2 s \(lock_timeout of attempt 3's) probe`;
