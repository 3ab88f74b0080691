/** The adaptive batch size (src/engine/batch-sizer.ts), driven by a fake clock: no timing is measured here. */
import { describe, expect, it } from 'vitest';
import { adaptiveBatchSizer, fixedBatchSizer, nextSize } from '../../src/engine/batch-sizer';

/** A fake clock and a fake table: each batch "takes" msPerRow(batch) per row. */
function simulate(o: { targetMs: number; cap: number; batches: number; msPerRow: (batch: number) => number }): number[] {
  let clock = 0;
  const sizer = adaptiveBatchSizer({ targetMs: o.targetMs, cap: o.cap, now: () => clock });
  const sizes: number[] = [];
  for (let b = 0; b < o.batches; b++) {
    const rows = sizer.next();
    sizes.push(rows);
    clock += rows * o.msPerRow(b);
    sizer.done();
  }
  return sizes;
}

describe('the adaptive batch size', () => {
  it('starts at 1,000 rows whatever the table, and grows 10 % per batch while batches are quick', () => {
    const sizes = simulate({ targetMs: 50, cap: 25_000, batches: 4, msPerRow: () => 0.001 });
    expect(sizes).toEqual([1_000, 1_100, 1_210, 1_331]);
  });

  it('settles where a batch takes about the target time', () => {
    // 0.002 ms a row: 50 ms is 25,000 rows; with the cap far above, it settles between 90 % and 95 % of that.
    const sizes = simulate({ targetMs: 50, cap: 1_000_000, batches: 200, msPerRow: () => 0.002 });
    for (const size of sizes.slice(-20)) {
      expect(size * 0.002).toBeGreaterThanOrEqual(0.8 * 0.9 * 50);
      expect(size * 0.002).toBeLessThanOrEqual(50 * 1.1);
    }
  });

  it('shrinks 20 % per batch when batches get slow', () => {
    const sizes = simulate({ targetMs: 50, cap: 25_000, batches: 40, msPerRow: (b) => (b < 30 ? 0.001 : 1) });
    const at = sizes[30]!;
    expect(sizes.slice(31, 34)).toEqual([Math.round(at * 0.8), Math.round(Math.round(at * 0.8) * 0.8), Math.round(Math.round(Math.round(at * 0.8) * 0.8) * 0.8)]);
  });

  it('keeps the size when a batch takes between 90 % and 95 % of the target', () => {
    expect(nextSize(1_000, 46, 50, 100, 25_000)).toBe(1_000);
    expect(nextSize(1_000, 44, 50, 100, 25_000)).toBe(1_100);
    expect(nextSize(1_000, 48, 50, 100, 25_000)).toBe(800);
  });

  it('never goes above --batch-size (the cap) nor below 100 rows', () => {
    expect(Math.max(...simulate({ targetMs: 50, cap: 5_000, batches: 100, msPerRow: () => 0.0001 }))).toBe(5_000);
    expect(Math.min(...simulate({ targetMs: 50, cap: 25_000, batches: 100, msPerRow: () => 10 }))).toBe(100);
    expect(simulate({ targetMs: 50, cap: 10, batches: 3, msPerRow: () => 10 })).toEqual([10, 10, 10]);
  });

  it('a fixed size (dry runs) is the given one every time', () => {
    const sizer = fixedBatchSizer(25_000);
    expect([sizer.next(), (sizer.done(), sizer.next())]).toEqual([25_000, 25_000]);
  });
});
