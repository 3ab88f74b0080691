/** How a command prints, from the global flags (--quiet, --no-color) and the terminal it writes to. */
import { styleFor, type Style } from './colors';

export interface OutputOptions {
  /** --quiet: print nothing but errors. */
  quiet: boolean;
  /** Colours for stdout. */
  style: Style;
  /** Where a spinner may be drawn: stderr, when it is a terminal and output is not quiet. */
  spinnerStream?: NodeJS.WritableStream;
}

export function outputOptions(globals: { quiet?: boolean; color?: boolean; json?: boolean }): OutputOptions {
  const quiet = Boolean(globals.quiet);
  return {
    quiet,
    style: styleFor(process.stdout, globals),
    // Not with --json: its stderr is for people too, but a program reading it wants lines, not redraws.
    spinnerStream: !quiet && !globals.json && process.stderr.isTTY && process.env.TERM !== 'dumb' ? process.stderr : undefined,
  };
}
