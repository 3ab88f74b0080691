/**
 * The steering gate in-process (engine/steering-gate.ts), on a real database:
 * what it costs a batch (one statement), and what it does with each kind of
 * row. The CLI across processes is test/engine/steering.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchSizer } from '../../src/engine/batch-sizer';
import type { StepEvent } from '../../src/engine/step-events';
import { steeringGate } from '../../src/engine/steering-gate';
import { forgetSteering, steer } from '../../src/history/steering-table';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitUntil } from '../support/wait-until';

let db: TestDatabase;
let statements = 0;

beforeAll(async () => {
  db = await createTestDatabase('steering_gate');
  db.knex.on('query', () => statements++);
});
afterAll(async () => {
  await db?.drop();
});

/** A sizer that only remembers its target. */
function fakeSizer(targetMs: number): BatchSizer & { targets: number[] } {
  const targets: number[] = [];
  return {
    targets,
    get targetMs() {
      return targets.at(-1) ?? targetMs;
    },
    retarget: (ms) => void targets.push(ms),
    next: () => 1,
    done: () => {},
  };
}

/** Asks the gate once; resolves to the statements it ran. */
async function ask(gate: ReturnType<typeof steeringGate>, sizer: BatchSizer, events: StepEvent[], migration = '002_fill'): Promise<number> {
  const before = statements;
  await gate.beforeBatch({ knex: db.knex, migration, step: 'fill n', sizer, onStep: (e) => events.push(e) });
  return statements - before;
}

const by = 'ops@host';

describe('the steering gate', () => {
  it('costs a batch one statement, with or without a row; a new batch time is applied each time and said once', async () => {
    const gate = steeringGate();
    const sizer = fakeSizer(50);
    const events: StepEvent[] = [];
    expect(await ask(gate, sizer, events)).toBe(1); // to_regclass: no table
    expect(await ask(gate, sizer, events)).toBe(1);

    await steer(db.knex, '002_fill', { batchTimeMs: 20, by });
    expect(await ask(gate, sizer, events)).toBe(2); // the table appeared: looked up once, then read
    expect(await ask(gate, sizer, events)).toBe(1);
    expect(await ask(gate, sizer, events)).toBe(1);
    expect(sizer.targets).toEqual([20]);
    expect(events).toEqual([{ type: 'batch-time', name: '002_fill', step: 'fill n', batchTimeMs: 20, previousMs: 50, by }]);

    // A fresh sizer (the next step) gets the steered time again, without a second line.
    const next = fakeSizer(50);
    expect(await ask(gate, next, events)).toBe(1);
    expect(next.targets).toEqual([20]);
    expect(events).toHaveLength(1);

    await forgetSteering(db.knex, '002_fill'); // its last row: the table goes
    expect(await ask(gate, sizer, events)).toBe(1); // the read finds no table: nothing steered
    expect(await ask(gate, sizer, events)).toBe(1); // looked up again
    expect(events).toHaveLength(1);
  });

  it('paused: says who, when and why, and holds the batch until resumed, polling', async () => {
    await steer(db.knex, '003_other', { paused: true, reason: 'peak traffic', by });
    const gate = steeringGate({ pollMs: 5 });
    const events: StepEvent[] = [];
    let released = false;
    const asked = ask(gate, fakeSizer(50), events, '003_other').then(() => (released = true));
    await waitUntil(() => events.length === 1, 'the paused event');
    expect(events[0]).toMatchObject({ type: 'paused', name: '003_other', step: 'fill n', reason: 'peak traffic', by: { os: by, application: expect.any(String) } });
    const polled = statements;
    await waitUntil(() => statements >= polled + 3, 'three polls while paused');
    expect(released).toBe(false);

    await steer(db.knex, '003_other', { paused: false, by: 'other@host' });
    await asked;
    expect(events[1]).toMatchObject({ type: 'resumed', name: '003_other', step: 'fill n', by: 'other@host' });
    expect(events).toHaveLength(2);
    await forgetSteering(db.knex, '003_other');
  });
});
