/**
 * What each step number of a migration means, as one short hash: the phase
 * table records it when a phased migration starts, and a run that carries the
 * migration on compares it (engine/plan.ts: assertPlansUnchanged).
 *
 * Why the file's checksum is not enough: an operations migration is compiled
 * by the engine (src/operations/compile.ts). A later engine may compile the
 * same file into other steps (it once went from one fill step per `onlyIf`
 * condition to one per table), so "3 steps done" would mean something else,
 * and the run would carry on from the wrong place without a word.
 *
 * Each step counts with its phase, name, kind and, where the step states it,
 * its SQL both ways (generated steps do). A hand-written step's code is not in
 * the hash: it lives in the file, whose checksum is recorded beside it.
 */
import { createHash } from 'node:crypto';
import { isBatched, isOutsideTransaction, type PhasedStep } from '../phased/phased-migration';

export function planFingerprint(steps: readonly PhasedStep[]): string {
  const described = steps.map((step) => ({
    phase: step.phase,
    name: step.name,
    kind: isBatched(step) ? 'batched' : isOutsideTransaction(step) ? 'outside' : 'transaction',
    up: step.statements?.up ?? null,
    down: step.statements?.down ?? null,
  }));
  return createHash('sha256').update(JSON.stringify(described), 'utf8').digest('hex').slice(0, 16);
}
