/**
 * When a run fails part-way, the steps it completed stay committed; the error
 * carries them, so `--json` and callers can report exactly where it stopped.
 */
import { KonstructError } from '../errors';
import type { StepResult } from './step-result';

export async function withCompletedSteps(completed: StepResult[], work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof KonstructError) error.completed = [...completed];
    throw error;
  }
}
