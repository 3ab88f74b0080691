/**
 * Colour for people, plain text for programs. Colour is on only when the
 * stream is a terminal, and off with --no-color, NO_COLOR (https://no-color.org)
 * or TERM=dumb; FORCE_COLOR turns it on for a pipe (FORCE_COLOR=0 turns it off).
 * A dozen SGR codes do not need a dependency, and the policy is ours to state.
 */
export interface Style {
  enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  cyan(text: string): string;
}

export interface ColorChoice {
  /** False when --no-color was given (commander's `color` option). */
  flag?: boolean;
  env?: NodeJS.ProcessEnv;
  isTTY?: boolean;
}

export function colorEnabled({ flag = true, env = process.env, isTTY = false }: ColorChoice): boolean {
  if (!flag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return isTTY && env.TERM !== 'dumb';
}

const sgr = (enabled: boolean, open: number, close: number) => (text: string) =>
  enabled && text !== '' ? `\u001b[${open}m${text}\u001b[${close}m` : text;

export function makeStyle(enabled: boolean): Style {
  return {
    enabled,
    bold: sgr(enabled, 1, 22),
    dim: sgr(enabled, 2, 22),
    green: sgr(enabled, 32, 39),
    yellow: sgr(enabled, 33, 39),
    red: sgr(enabled, 31, 39),
    cyan: sgr(enabled, 36, 39),
  };
}

export const plainStyle: Style = makeStyle(false);

/** The style for text written to `stream` under the command's global options. */
export function styleFor(stream: { isTTY?: boolean }, options: { color?: boolean }): Style {
  return makeStyle(colorEnabled({ flag: options.color, isTTY: Boolean(stream.isTTY) }));
}
