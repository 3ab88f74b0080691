/**
 * drain-cost's crossed rounds (issue #23 item 3): in every round both copies
 * take half of the application's load at once, the recorder on one of them,
 * and the recorder moves between the copies, so that what differs between
 * them falls on both sides alike.
 */
import { expect, it } from 'vitest';
import { carrierOf, roundSegments } from '../../bench/drain/crossed-rounds';
import { halfLoad } from '../../bench/drain/simultaneous-load';

it('loads both copies in every round, the recorder on its carrier and never on the other copy', () => {
  for (let i = 0; i < 8; i++) {
    const segments = roundSegments(i);
    expect(segments.map((s) => s.copy), `round ${i}`).toEqual(['x', 'y']);
    for (const s of segments) expect(s.side, `round ${i}, copy ${s.copy}`).toBe(s.copy === carrierOf(i) ? 'recording' : 'without');
  }
});

it('moves the recorder every second round (x y y x), so that over four rounds each copy carries it equally often, as early as late on average', () => {
  expect(Array.from({ length: 8 }, (_, i) => carrierOf(i)).join('')).toBe('xyyxxyyx');
  const carried = (copy: 'x' | 'y') => [0, 1, 2, 3].filter((i) => roundSegments(i).some((s) => s.copy === copy && s.side === 'recording'));
  expect([carried('x'), carried('y')]).toEqual([[0, 3], [1, 2]]);
});

it("gives each copy half of the application's rate and connections, so that both together serve the benchmark's load", () => {
  const load = { ratePerVersion: 100, connectionsPerVersion: 10, statementTimeoutMs: 5000 };
  expect(halfLoad(load)).toEqual({ ratePerVersion: 50, connectionsPerVersion: 5, statementTimeoutMs: 5000 });
  // An odd pool rounds up, a pool of one stays one: a copy never goes without a connection.
  expect(halfLoad({ ...load, connectionsPerVersion: 3 }).connectionsPerVersion).toBe(2);
  expect(halfLoad({ ...load, connectionsPerVersion: 1 }).connectionsPerVersion).toBe(1);
});
