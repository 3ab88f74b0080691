/** What the application saw in a window: which requests count, where errors count, and the percentile. */
import { expect, it } from 'vitest';
import { percentile, windowStats } from '../../bench/app-load/latency-windows';
import type { RequestRecord } from '../../bench/app-load/load-generator';

const at = 1_000_000;
const request = (dueMs: number, ms: number, error: string | null = null, version: 'old' | 'new' = 'old'): RequestRecord => ({ version, kind: 'read', dueAt: at + dueMs, ms, error });

it('counts a request stalled across a boundary in both windows, and its answer and an error where they came back', () => {
  const requests = [request(-500, 5), request(-100, 900), request(200, 10, '42703: gone'), request(900, 300, '57014: canceled')];
  const [before, during] = windowStats(requests, at, [
    { name: 'before', from: -1000, to: 0 },
    { name: 'during', from: 0, to: 1000 },
  ]);
  expect(before!.versions.old).toMatchObject({ requests: 2, answered: 1, errors: 0, maxMs: 900 });
  expect(during!.versions.old).toMatchObject({ requests: 3, answered: 2, errors: 1, maxMs: 900 });
  expect(during!.versions.old.errorGroups).toEqual([{ message: '42703: gone', count: 1, firstAt: 210, lastAt: 210 }]);
  expect(during!.versions.new).toMatchObject({ requests: 0, answered: 0, errors: 0, maxMs: 0, p99Ms: 0 });
});

it('takes the nearest-rank percentile', () => {
  const values = Array.from({ length: 200 }, (_, i) => i + 1);
  expect(percentile(values, 0.99)).toBe(198);
  expect(percentile([7], 0.99)).toBe(7);
  expect(percentile([], 0.99)).toBe(0);
});
