/**
 * Asking a person before `down` destroys data. Only when someone can answer:
 * stdin and stderr are both a terminal. Anywhere else (pipelines) there is no
 * one to ask, and `down` refuses unless --yes was given.
 */
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import { describeDataLoss, type StepDataLoss } from '../engine/data-loss';

type Terminal = { isTTY?: boolean };

export function terminalConfirmation(
  input: Readable & Terminal = process.stdin,
  output: Writable & Terminal = process.stderr,
): ((dataLoss: StepDataLoss[]) => Promise<boolean>) | undefined {
  if (!input.isTTY || !output.isTTY) return undefined;
  return (dataLoss) => askToDestroy(dataLoss, input, output);
}

/** Writes what would be lost, asks, and resolves true only for an explicit yes. */
export async function askToDestroy(dataLoss: StepDataLoss[], input: Readable, output: Writable): Promise<boolean> {
  output.write(`Reverting would destroy:\n${dataLoss.map((l) => `  ${describeDataLoss(l)}\n`).join('')}`);
  const rl = createInterface({ input, output, terminal: false });
  try {
    // Input that ends without an answer (Ctrl-D) is a no.
    const ended = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
    const answer = await Promise.race([rl.question('Revert anyway? Type "yes" to go on: '), ended]);
    return answer.trim().toLowerCase() === 'yes';
  } finally {
    rl.close();
  }
}
