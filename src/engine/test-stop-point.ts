/**
 * TEST-ONLY. Lets a test SIGKILL a real run at an exact point: right after one
 * unit of work (a step, or one batch of a batched step) committed, before the
 * next unit does anything (test/operations/sigkill-boundaries.test.ts).
 *
 * With KONSTRUCT_TEST_STOP_AT set, the run that has just committed the position
 * it names (and printed its line, if any) writes one line to stderr and stops
 * itself (SIGSTOP); the test waits
 * for that line and SIGKILLs the stopped process. Why a hook in the engine: a
 * kill raced against the output lands wherever the next step happens to be by
 * then, and holding the next step with a lock or a batch gate needs a different
 * trick for every kind of step (a transaction, CONCURRENTLY, a batch); this is one
 * rule for all of them, and it stops the process exactly where a crash would
 * leave the database in the state under test.
 *
 * The value names a position as the phase table records it (of any migration):
 *   `steps=K`            the unit that left K steps applied, between two steps;
 *   `steps=K,batches=B`  the B-th batch this run committed inside the batched step
 *                        that stands at K (its cursor saved).
 * Unset (always, outside tests) it does nothing. Users have no reason to set it.
 */
import type { Position } from './run-steps';

export const TEST_STOP_VARIABLE = 'KONSTRUCT_TEST_STOP_AT';

/** What KONSTRUCT_TEST_STOP_AT says for the position a unit committed (`batch`: its number in this run). */
export function stopPointName(position: Position, batch?: number): string {
  return position.cursor === null ? `steps=${position.stepsDone}` : `steps=${position.stepsDone},batches=${batch ?? 0}`;
}

/** Called after every unit of a real run committed (run-steps.ts: afterUnit); stops the process if the test asked for this point. */
export function stopIfTestAsks(position: Position, batch?: number): void {
  const wanted = process.env[TEST_STOP_VARIABLE];
  if (!wanted || wanted !== stopPointName(position, batch)) return;
  // A pipe is written synchronously on Linux: the line is out before the process stops.
  process.stderr.write(`${TEST_STOP_VARIABLE}: stopped after committing ${wanted}\n`);
  process.kill(process.pid, 'SIGSTOP');
}
