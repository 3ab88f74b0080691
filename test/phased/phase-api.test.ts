/**
 * The phase API's rules, checked when a migration file is loaded, and where a
 * run starts from a saved position (pure functions: no database).
 */
import { describe, expect, it } from 'vitest';
import { assertWellFormed, expandedAt, type PhasedStep } from '../../src/phased/phased-migration';
import type { PhaseState } from '../../src/history/phase-state';
import { startingPosition } from '../../src/engine/run-migration';

const tx = (phase: PhasedStep['phase'], name: string): PhasedStep => ({ phase, name, up: async () => {}, down: async () => {} });
const batched = (name: string): PhasedStep => ({ phase: 'backfill', name, batch: { up: async () => ({ next: null, rows: 0 }) } });
const STEPS = [tx('expand', 'e'), batched('b'), tx('contract', 'c1'), tx('contract', 'c2')];

describe('phases in a migration file', () => {
  it('are accepted in the order expand, backfill, contract; the expanded point is before the first contract step', () => {
    expect(() => assertWellFormed(STEPS)).not.toThrow();
    expect(expandedAt(STEPS)).toBe(2);
    expect(expandedAt([tx('expand', 'only')])).toBe(1);
  });

  it('are refused, naming the step, when out of order, of an unknown phase, without up/down, or empty', () => {
    expect(() => assertWellFormed([tx('contract', 'drop'), tx('expand', 'add')])).toThrow('phases: step "add" (expand) comes after a later phase');
    expect(() => assertWellFormed([tx('cleanup' as never, 'x')])).toThrow('phases: step "x" has phase "cleanup"; expected expand, backfill or contract');
    expect(() => assertWellFormed([{ phase: 'expand', name: 'half' } as never])).toThrow('phases: step "half" needs up(knex) and down(knex), or batch');
    expect(() => assertWellFormed([])).toThrow('phases: give at least one step');
  });
});

describe('where a run starts', () => {
  const state = (s: Partial<PhaseState>): PhaseState => ({
    name: 'm', stepsDone: 0, direction: 'up', cursor: null, rowsDone: 0, held: false, checksum: null,
    startedAt: new Date(), updatedAt: new Date(), ...s,
  });

  it('from nothing, from fully applied, and between steps', () => {
    expect(startingPosition({ steps: STEPS, direction: 'up' })).toEqual({ stepsDone: 0, cursor: null, rowsDone: 0 });
    expect(startingPosition({ steps: STEPS, direction: 'down', applied: true })).toEqual({ stepsDone: 4, cursor: null, rowsDone: 0 });
    expect(startingPosition({ steps: STEPS, direction: 'down', state: state({ stepsDone: 2 }) })).toEqual({ stepsDone: 2, cursor: null, rowsDone: 0 });
  });

  it('between two batches the same way: at the saved cursor, with the rows so far', () => {
    expect(startingPosition({ steps: STEPS, direction: 'up', state: state({ stepsDone: 1, cursor: '10', rowsDone: 500 }) })).toEqual({ stepsDone: 1, cursor: '10', rowsDone: 500 });
  });

  it('a batched step half done the other way is redone from its start', () => {
    // Going up, it was half applied: going down, it counts as applied and is reverted whole.
    expect(startingPosition({ steps: STEPS, direction: 'down', state: state({ stepsDone: 1, cursor: '10' }) })).toEqual({ stepsDone: 2, cursor: null, rowsDone: 0 });
    // Going down, it was half reverted: going up, it counts as not applied and is applied whole.
    expect(startingPosition({ steps: STEPS, direction: 'up', state: state({ stepsDone: 2, cursor: '10', direction: 'down' }) })).toEqual({ stepsDone: 1, cursor: null, rowsDone: 0 });
  });
});
