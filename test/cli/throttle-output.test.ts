/**
 * What the CLI prints of the health throttle's events (src/cli/output/step-progress.ts),
 * fed made-up events: in a pipe or with --json (no live line), one line when a hold
 * starts and one when it ends, not one per look; with -q nothing. The live line on
 * a terminal and the --json document are tested with a real standby
 * (test/engine/health-throttle.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { plainStyle } from '../../src/cli/output/colors';
import { withStepProgress } from '../../src/cli/output/step-progress';
import { makeIo } from '../../src/cli/run-command';
import type { StepEvent } from '../../src/engine/step-events';

const hold = { name: '002_fill', step: 'fill n', reason: 'replica-lag', detail: 'replica "standby1" (10.0.0.7) replays 1.2 s behind, limit 1 s' } as const;
const EVENTS: StepEvent[] = [
  { type: 'health-unseen', reason: 'archive-backlog', detail: 'something cannot be seen' },
  { type: 'throttled', ...hold, waitedMs: 0 },
  { type: 'throttled', ...hold, waitedMs: 250 },
  { type: 'throttled', ...hold, waitedMs: 500 },
  { type: 'unthrottled', ...hold, waitedMs: 3_210 },
];

async function printed(quiet: boolean): Promise<{ out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  await withStepProgress(makeIo((t) => out.push(t), (t) => err.push(t)), { quiet, style: plainStyle }, async (onStep) => EVENTS.forEach(onStep));
  return { out, err };
}

describe('the health throttle in the CLI output', () => {
  it('without a terminal: a line on stderr when a hold starts and when it ends, and a note for what cannot be seen', async () => {
    expect(await printed(false)).toEqual({
      out: [],
      err: [
        'note: something cannot be seen',
        '    ⏸ fill n: held before its next batch: replica "standby1" (10.0.0.7) replays 1.2 s behind, limit 1 s',
        '    ▶ fill n: held 3.2 s (replica "standby1" (10.0.0.7) replays 1.2 s behind, limit 1 s); carrying on',
      ],
    });
  });

  it('nothing with -q', async () => {
    expect(await printed(true)).toEqual({ out: [], err: [] });
  });
});
