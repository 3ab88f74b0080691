/**
 * `up`/`down` as they run: one line per migration when it finishes, with its
 * duration (so a failure in the third step still shows the two that were
 * applied). On a terminal, a step that takes over a second gets a spinner line
 * with the elapsed time on stderr, erased when the step ends. Quiet prints nothing.
 * A phased migration prints a line per step as it finishes; during a backfill
 * the spinner line shows rows done/estimated, the rate and the time left;
 * a line says when an operator paused it, resumed it or changed its batch time (`steer`).
 * A backfill held by the health throttle says so: live on a terminal, else in a
 * line when the hold starts; and in a line when it ends, with how long it lasted.
 */
import type { StepEvent, StepListener } from '../../engine/step-events';
import type { StepResult } from '../../engine/step-result';
import { noteStepForInterrupt } from '../interrupt-report';
import { groupDigits } from './group-digits';
import type { Io } from '../run-command';
import type { OutputOptions } from './output-options';
import type { Style } from './colors';
import { PAUSED_DETAIL, pausedLine } from './steering-lines';

const SPINNER_AFTER_MS = 1_000;
const FRAME_MS = 100;
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function formatDuration(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${(ms / 1_000).toFixed(1)} s`;
}

export function stepLine(step: StepResult, style: Style): string {
  const arrow = step.direction === 'up' ? style.green('↑') : style.yellow('↓');
  const attempts = step.attempts > 1 ? `, ${step.attempts} attempts` : ''; // retried after lock timeouts
  return `  ${arrow} ${step.name} ${style.dim(`(${formatDuration(step.ms)}${attempts})`)}`;
}

type PhaseFinished = Extract<StepEvent, { type: 'phase-finished' }>;
type Progress = Extract<StepEvent, { type: 'progress' }>;

/** `    · expand: add role column and triggers (85 ms)` under the migration's line. */
export function phaseLine(event: PhaseFinished, style: Style): string {
  const attempts = event.attempts > 1 ? `, ${event.attempts} attempts` : '';
  const batches = event.batches === undefined ? '' : `, ${event.batches} batch${event.batches === 1 ? '' : 'es'}, ${groupDigits(event.rows!)} rows`;
  const verb = event.direction === 'up' ? '' : 'reverted ';
  return `    · ${verb}${event.phase}: ${event.step} ${style.dim(`(${formatDuration(event.ms)}${batches}${attempts})`)}`;
}

/** `backfill roles: 120,000 / ~1,000,000 rows (12%), 48,000 rows/s, ~18 s left` */
export function backfillProgress(e: Progress): string {
  const n = (x: number) => groupDigits(Math.round(x));
  const rate = e.ms > 0 ? (e.rowsThisRun * 1000) / e.ms : 0;
  const total = e.estimatedRows && e.estimatedRows >= e.rowsDone ? e.estimatedRows : undefined;
  const parts = [`${e.step}: ${n(e.rowsDone)}${total ? ` / ~${n(total)}` : ''} rows${total ? ` (${Math.floor((100 * e.rowsDone) / total)}%)` : ''}`];
  if (rate > 0) parts.push(`${n(rate)} rows/s`);
  if (rate > 0 && total) parts.push(`~${formatDuration(Math.round(((total - e.rowsDone) / rate) * 1000))} left`);
  return parts.join(', ');
}

/** `1 sign: UPDATE of portal_users.is_admin ... ; clear in ~42 s` */
export function drainProgress(e: Extract<StepEvent, { type: 'draining' }>): string {
  const clear = e.clearsInSeconds === null ? 'until that session ends' : `clear in ~${formatDuration(Math.round(e.clearsInSeconds * 1000))}`;
  return `${e.signs.length} sign${e.signs.length === 1 ? '' : 's'}: ${e.signs[0]}; ${clear}`;
}

type Throttled = Extract<StepEvent, { type: 'throttled' | 'unthrottled' }>;

/** `held 3.2 s: replica "standby1" (10.0.0.7) replays 1.4 s behind, limit 1 s` (the live line while held). */
export function throttleProgress(e: Throttled): string {
  return `held ${formatDuration(e.waitedMs)}: ${e.detail}`;
}

/** `    ⏸ fill n: held before its next batch: replica ...` when a hold starts; `    ▶ fill n: held 3.2 s (replica ...); carrying on` when it ends. */
export function throttleLine(e: Throttled): string {
  return e.type === 'throttled'
    ? `    ⏸ ${e.step}: held before its next batch: ${e.detail}`
    : `    ▶ ${e.step}: held ${formatDuration(e.waitedMs)} (${e.detail}); carrying on`;
}

/**
 * `006_rbac_roles [backfill roles]: its WAL forced 3 checkpoints (1.4 GB written while it ran, past what max_wal_size
 * 1GB allows between two); a checkpoint's writes slow the application: docs/production-safety.md#…`
 */
export function checkpointsNote(e: Extract<StepEvent, { type: 'checkpoints' }>): string {
  const written = e.walBytes >= 2 ** 30 ? `${(e.walBytes / 2 ** 30).toFixed(1)} GB` : `${Math.round(e.walBytes / 2 ** 20)} MB`;
  return `${e.name} [${e.step}]: its WAL forced ${e.requested} checkpoint${e.requested === 1 ? '' : 's'} (${written} written while it ran, past what max_wal_size ${e.maxWalSize} allows between two); a checkpoint's writes slow the application: ${CHECKPOINTS_DOC}`;
}

const CHECKPOINTS_DOC = 'docs/production-safety.md#a-big-backfill-and-max_wal_size';

/** Runs `work` with a listener that prints each step; the spinner never outlives it. */
export async function withStepProgress<T>(io: Io, output: OutputOptions, work: (onStep: StepListener) => Promise<T>): Promise<T> {
  const spinner = output.spinnerStream ? new Spinner(output.spinnerStream) : undefined;
  /** A line of its own, with the spinner's line out of the way. */
  const printLine = (line: string) => {
    spinner?.pause();
    io.out(line);
    spinner?.resume();
  };
  const onStep = (event: StepEvent) => {
    noteStepForInterrupt(event);
    if (output.quiet) return;
    if (event.type === 'started') {
      spinner?.start(`${event.direction === 'up' ? 'applying' : 'reverting'} ${event.name}`);
    } else if (event.type === 'progress') {
      spinner?.setDetail(backfillProgress(event));
    } else if (event.type === 'draining') {
      if (!spinner?.running) spinner?.start('waiting for the old application version to drain');
      spinner?.setDetail(drainProgress(event));
    } else if (event.type === 'throttled') {
      // On a terminal the live line says it; elsewhere one line when a hold starts, so a log shows why nothing moves.
      if (spinner) spinner.setDetail(throttleProgress(event));
      else if (event.waitedMs === 0) io.err(throttleLine(event));
    } else if (event.type === 'unthrottled' || event.type === 'health-unseen' || event.type === 'checkpoints') {
      spinner?.setDetail('');
      spinner?.pause();
      io.err(event.type === 'unthrottled' ? throttleLine(event) : `note: ${event.type === 'checkpoints' ? checkpointsNote(event) : event.detail}`);
      spinner?.resume();
    } else if (event.type === 'phase-finished') {
      spinner?.setDetail('');
      printLine(phaseLine(event, output.style));
    } else if (event.type === 'paused') {
      spinner?.setDetail(PAUSED_DETAIL);
      printLine(pausedLine(event, output.style));
    } else if (event.type === 'resumed') {
      spinner?.setDetail('');
      printLine(`    ${output.style.green('▸')} ${event.step}: resumed${event.by ? ` by ${event.by}` : ''} after ${formatDuration(event.pausedMs)}`);
    } else if (event.type === 'batch-time') {
      printLine(`    · ${event.step}: target batch time ${event.batchTimeMs} ms (was ${event.previousMs} ms), set by ${event.by}`);
    } else {
      spinner?.stop();
      io.out(stepLine(event.step, output.style));
    }
  };
  try {
    return await work(onStep);
  } finally {
    spinner?.stop();
  }
}

/** A single redrawn line on a terminal: `⠹ applying 007_big_index  3.2 s`. */
class Spinner {
  private delay?: NodeJS.Timeout;
  private frames?: NodeJS.Timeout;
  private drawn = false;
  private paused = false;
  private detail = '';

  constructor(private readonly stream: NodeJS.WritableStream) {}

  get running(): boolean {
    return this.delay !== undefined;
  }

  /** Extra text after the label, e.g. backfill progress. */
  setDetail(detail: string): void {
    this.detail = detail;
  }

  /** Erases the line while another line is printed; resume() draws it again. */
  pause(): void {
    this.paused = true;
    if (this.drawn) this.stream.write('\r\u001b[2K');
    this.drawn = false;
  }

  resume(): void {
    this.paused = false;
  }

  start(label: string): void {
    this.stop();
    const started = Date.now();
    let frame = 0;
    this.detail = '';
    this.delay = setTimeout(() => {
      this.frames = setInterval(() => {
        if (this.paused) return;
        const elapsed = formatDuration(Date.now() - started);
        const detail = this.detail ? `  ${this.detail}` : '';
        this.stream.write(`\r\u001b[2K${FRAMES[frame++ % FRAMES.length]} ${label}  ${elapsed}${detail}`);
        this.drawn = true;
      }, FRAME_MS);
      this.frames.unref();
    }, SPINNER_AFTER_MS);
    this.delay.unref();
  }

  stop(): void {
    clearTimeout(this.delay);
    clearInterval(this.frames);
    this.delay = this.frames = undefined;
    if (this.drawn) this.stream.write('\r\u001b[2K');
    this.drawn = false;
  }
}
