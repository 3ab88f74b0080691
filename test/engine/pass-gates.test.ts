/**
 * The gates before a batch are asked again after one of them held it back (found by review: an operator's pause set
 * while the health throttle held the backfill let one more batch run once the hold ended).
 */
import { expect, it } from 'vitest';
import { passGates, type BatchGate, type BatchGateContext } from '../../src/engine/batch-gate';

const context = {} as BatchGateContext;

it('asks every gate again after a hold, until a round where none holds the batch', async () => {
  const asked: string[] = [];
  let pausedDuringHold = false;
  const steering: BatchGate = {
    beforeBatch: async () => {
      asked.push(pausedDuringHold ? 'steering: paused, waits for resume' : 'steering: goes');
      const held = pausedDuringHold;
      pausedDuringHold = false; // resumed by the end of its wait
      return held;
    },
  };
  let holds = 1;
  const health: BatchGate = {
    beforeBatch: async () => {
      const held = holds-- > 0;
      asked.push(held ? 'health: holds; an operator pauses meanwhile' : 'health: goes');
      if (held) pausedDuringHold = true;
      return held;
    },
  };
  await passGates([steering, health], context);
  expect(asked).toEqual([
    'steering: goes', 'health: holds; an operator pauses meanwhile',
    'steering: paused, waits for resume', 'health: goes',
    'steering: goes', 'health: goes',
  ]);
});

it('asks a lone gate once, whether it held or not: nothing else could have changed meanwhile', async () => {
  let asked = 0;
  await passGates([{ beforeBatch: async () => (asked++, true) }], context);
  expect(asked).toBe(1);
});
