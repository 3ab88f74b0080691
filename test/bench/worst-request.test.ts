/**
 * What the slowest request waited on: the request picked is the slowest a
 * served version sent during the migration, and the cause follows from the
 * migration's locks that overlapped its wait and whether their mode stops it.
 */
import { expect, it } from 'vitest';
import type { RequestKind } from '../../bench/app-load/app-versions';
import type { RequestRecord } from '../../bench/app-load/load-generator';
import type { LockEpisode } from '../../bench/lock-watch';
import type { PhaseSpan } from '../../bench/phase-timeline';
import { worstRequests, type WorstRequestInput } from '../../bench/worst-request';
import { worstRequestText } from '../../bench/worst-request-markdown';

const startedAt = 1_000_000_000;
const offset = 250; // the server's clock runs 250 ms ahead of the load's
const phases: PhaseSpan[] = [
  { phase: 'expand', from: 0, to: 1000, exact: true },
  { phase: 'backfill', from: 1000, to: 3000, exact: true },
  { phase: 'contract', from: 3000, to: 3500, exact: true },
];
const request = (version: 'old' | 'new', kind: RequestKind, dueMs: number, ms: number): RequestRecord => ({ version, kind, dueAt: startedAt + dueMs, ms, error: null });
/** A lock episode from..to ms into the run, on the server's clock. */
const lock = (mode: string, fromMs: number, toMs: number, granted = true): LockEpisode => ({
  pid: 42, mode, granted, start: (startedAt + fromMs + offset) / 1000, end: (startedAt + toMs + offset) / 1000, endedBy: 'commit timestamp',
});
const input = (requests: RequestRecord[], episodes: LockEpisode[]): WorstRequestInput => ({
  requests, startedAt, clockOffsetMs: offset, phases, episodes,
  machine: [{ at: startedAt + 600, loadAverage: 3.5, cpuBusy: 0.9 }],
  steps: { names: ['expand: rename', 'fill portal_users', 'contract: rename'], versions: [{ stepsDone: 1, cursor: null, committedAt: (startedAt + 1000 + offset) / 1000, exact: true }] },
});

it("blames the migration's ACCESS EXCLUSIVE for a read that waited across it, and names the phase and step", () => {
  const requests = [request('old', 'read', 100, 8), request('old', 'read', 500, 400), request('old', 'read', 5000, 900)];
  const { old } = worstRequests(input(requests, [lock('AccessExclusiveLock', 450, 880), lock('RowExclusiveLock', 1200, 1300)]), ['old', 'new']);
  // The 900 ms request came after the migration: not the max during it.
  expect(old).toMatchObject({ ms: 400, dueMs: 500, cause: 'table lock', phases: ['expand'], steps: ['expand: rename'] });
  expect(old!.locks.map((l) => [l.mode, Math.round(l.fromMs), Math.round(l.toMs), l.stopsRequest])).toEqual([['AccessExclusiveLock', 450, 880, true]]);
  expect(worstRequestText(old)).toContain('AccessExclusiveLock held by the migration (pid 42, 450 ms–880 ms)');
});

it('does not blame a lock that a read or an insert does not wait for; an update beside a batch may have waited for its row locks', () => {
  const requests = [request('old', 'read', 1150, 300), request('new', 'update', 1150, 300), request('new', 'insert', 1160, 250)];
  const both = worstRequests(input(requests, [lock('ShareUpdateExclusiveLock', 1100, 1400), lock('RowExclusiveLock', 1200, 1300)]), ['old', 'new']);
  expect(both.old).toMatchObject({ cause: 'client/CPU side', steps: ['fill portal_users'] });
  expect(worstRequestText(both.old)).toContain('no lock wait seen: client/CPU side (load average 3.5, CPU 90 % busy)');
  expect(both.new).toMatchObject({ kind: 'update', cause: 'row lock of a batch?' });
  const inserts = worstRequests(input([request('new', 'insert', 1160, 250)], [lock('RowExclusiveLock', 1200, 1300)]), ['new']);
  expect(inserts.new).toMatchObject({ cause: 'client/CPU side' });
  expect(worstRequestText(inserts.new)).toContain('meanwhile RowExclusiveLock held by the migration');
});

it('queues a write behind a SHARE lock the migration still waits for, and leaves a version it never served out', () => {
  const { old, new: fresh } = worstRequests(input([request('old', 'insert', 200, 120)], [lock('ShareLock', 150, 400, false)]), ['old', 'new']);
  expect(old).toMatchObject({ cause: 'table lock' });
  expect(worstRequestText(old)).toContain('ShareLock awaited by the migration');
  expect(fresh).toBeNull();
  expect(worstRequestText(fresh)).toBe('not served during the migration');
});
