/** The adaptive batch size (src/engine/batch-sizer.ts), driven by a fake clock: no timing is measured here. */
import { describe, expect, it } from 'vitest';
import { adaptiveBatchSizer, fixedBatchSizer, nextSize } from '../../src/engine/batch-sizer';

/** A fake clock and a fake table: each batch "takes" msPerRow(batch) per row. */
function simulate(o: { targetMs: number; cap: number; batches: number; msPerRow: (batch: number) => number }): number[] {
  let clock = 0;
  const sizer = adaptiveBatchSizer({ targetMs: o.targetMs, cap: o.cap, now: () => clock });
  const sizes: number[] = [];
  for (let b = 0; b < o.batches; b++) {
    const batch = sizer.begin();
    sizes.push(batch.rows);
    clock += batch.rows * o.msPerRow(b);
    batch.end();
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

  it('with lag 1 (the next batch works while one commits), batch n is sized from the batches before n - 1, whenever n - 1 ends', () => {
    // The same batches and times; the second ends before or after the third begins. The sizes are the same.
    const sizesWhen = (secondEndsFirst: boolean) => {
      let clock = 0;
      const sizer = adaptiveBatchSizer({ targetMs: 50, cap: 25_000, now: () => clock, lag: 1 });
      const first = sizer.begin();
      const second = sizer.begin(); // the first still commits
      clock += 10;
      first.end(); // quick
      if (secondEndsFirst) second.end(); // quick
      const third = sizer.begin();
      if (!secondEndsFirst) second.end();
      clock += 100;
      const fourth = sizer.begin();
      third.end(); // slow
      return [first.rows, second.rows, third.rows, fourth.rows, sizer.begin().rows];
    };
    expect(sizesWhen(true)).toEqual([1_000, 1_000, 1_100, 1_210, 968]);
    expect(sizesWhen(false)).toEqual([1_000, 1_000, 1_100, 1_210, 968]);
  });

  it('each of two overlapping batches is measured from its own start', () => {
    let clock = 0;
    const sizer = adaptiveBatchSizer({ targetMs: 50, cap: 25_000, now: () => clock });
    const first = sizer.begin();
    clock += 30;
    const second = sizer.begin();
    clock += 10;
    first.end(); // 40 ms: quick, 10 % more
    clock += 20;
    second.end(); // 30 ms from its own start: quick again (60 ms from the first's)
    expect(sizer.begin().rows).toBe(1_210);
  });

  it("an attempt after a lock timeout restarts its batch's clock", () => {
    let clock = 0;
    const sizer = adaptiveBatchSizer({ targetMs: 50, cap: 25_000, now: () => clock });
    const batch = sizer.begin();
    clock += 500; // the first attempt waited and timed out
    batch.restart();
    clock += 20;
    batch.end();
    expect(sizer.begin().rows).toBe(1_100);
  });

  it('a fixed size (dry runs) is the given one every time', () => {
    const sizer = fixedBatchSizer(25_000);
    const first = sizer.begin();
    first.end();
    expect([first.rows, sizer.begin().rows]).toEqual([25_000, 25_000]);
  });
});
