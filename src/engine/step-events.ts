/**
 * What `up` and `down` report while they run, so a caller can show each
 * migration as it starts and finishes (the CLI prints lines and a spinner;
 * a library user may log them). Results are still returned as data at the end.
 */
import type { Direction, StepResult } from './run-step';

export type StepEvent =
  | { type: 'started'; name: string; direction: Direction }
  | { type: 'finished'; step: StepResult };

export type StepListener = (event: StepEvent) => void;
