/** What running one migration one way gave: reported as it finishes, and returned by `up`, `down` and `complete`. */
export type Direction = 'up' | 'down';

export interface StepResult {
  name: string;
  direction: Direction;
  /** Wall time of the migration's steps, retries included. */
  ms: number;
  /** 1 unless lock timeouts made a unit try again (each retry adds one). */
  attempts: number;
}
