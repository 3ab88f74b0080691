/**
 * `up`/`down` as they run: one line per migration when it finishes, with its
 * duration (so a failure in the third step still shows the two that were
 * applied). On a terminal, a step that takes over a second gets a spinner line
 * with the elapsed time on stderr, erased when the step ends. Quiet prints nothing.
 */
import type { StepEvent, StepListener } from '../../engine/step-events';
import type { StepResult } from '../../engine/run-step';
import type { Io } from '../run-command';
import type { OutputOptions } from './output-options';
import type { Style } from './colors';

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

/** Runs `work` with a listener that prints each step; the spinner never outlives it. */
export async function withStepProgress<T>(io: Io, output: OutputOptions, work: (onStep: StepListener) => Promise<T>): Promise<T> {
  const spinner = output.spinnerStream ? new Spinner(output.spinnerStream) : undefined;
  const onStep = (event: StepEvent) => {
    if (output.quiet) return;
    if (event.type === 'started') {
      spinner?.start(`${event.direction === 'up' ? 'applying' : 'reverting'} ${event.name}`);
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

  constructor(private readonly stream: NodeJS.WritableStream) {}

  start(label: string): void {
    this.stop();
    const started = Date.now();
    let frame = 0;
    this.delay = setTimeout(() => {
      this.frames = setInterval(() => {
        const elapsed = formatDuration(Date.now() - started);
        this.stream.write(`\r\u001b[2K${FRAMES[frame++ % FRAMES.length]} ${label}  ${elapsed}`);
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
