/** Where the CLI writes; a file of its own so that the program definition needs nothing heavier. */
/** Where a command writes: results to `out` (stdout), notes for people to `err` (stderr). */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  outLines: (lines: string[]) => void;
}

export function makeIo(out: (text: string) => void, err: (text: string) => void): Io {
  return { out, err, outLines: (lines) => lines.forEach(out) };
}

export const processIo: Io = makeIo(
  (text) => process.stdout.write(`${text}\n`),
  (text) => process.stderr.write(`${text}\n`),
);
