/** Counts in the output read as they did with toLocaleString('en-US'), now written without Intl (src/cli/output/group-digits.ts). */
import { expect, it } from 'vitest';
import { groupDigits } from '../../src/cli/output/group-digits';

const COUNTS = [0, 1, 12, 999, 1000, 1001, 12_345, 999_999, 1_000_000, 25_000_000, 1_234_567_890, -1, -1000, -1_234_567, Number.MAX_SAFE_INTEGER];
// Not integers, or not safe ones: still toLocaleString's text.
const OTHERS = [-0, 0.5, 1234.5678, 1e21, Number.MAX_SAFE_INTEGER + 2, NaN, Infinity];

it('writes every count exactly as toLocaleString("en-US") does', () => {
  for (const n of [...COUNTS, ...OTHERS]) expect({ n, text: groupDigits(n) }).toEqual({ n, text: n.toLocaleString('en-US') });
  expect(groupDigits(1_234_567)).toBe('1,234,567');
});
