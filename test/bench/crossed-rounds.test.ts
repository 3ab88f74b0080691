/**
 * drain-cost's crossed order (issue #23 item 3): the recorder moves between the
 * two copies, so that what differs between them falls on both sides alike.
 */
import { expect, it } from 'vitest';
import { carrierOf, roundSegments } from '../../bench/drain/crossed-rounds';

const rounds = (n: number) => Array.from({ length: n }, (_, i) => roundSegments(i));

it('runs each round A B B A, the recorder on its carrier and never on the other copy', () => {
  for (const [i, segments] of rounds(8).entries()) {
    const [a, b, b2, a2] = segments;
    expect([a, b], `round ${i}`).toEqual([a2, b2]);
    expect(a!.side, `round ${i}`).not.toBe(b!.side);
    for (const s of segments) expect(s.copy === carrierOf(i), `round ${i}`).toBe(s.side === 'recording');
  }
});

it('moves the recorder every second round (x y y x), so that over four rounds each copy carries it, goes first, and meets either side first, equally often', () => {
  expect(Array.from({ length: 8 }, (_, i) => carrierOf(i)).join('')).toBe('xyyxxyyx');
  const four = rounds(4);
  const firsts = four.map((segments) => segments[0]!);
  expect(firsts.filter((s) => s.copy === 'x')).toHaveLength(2);
  expect(firsts.filter((s) => s.side === 'recording')).toHaveLength(2);
  // Each copy goes first both with the recorder and without it.
  expect(new Set(firsts.map((s) => `${s.copy} ${s.side}`)).size).toBe(4);
});
