/**
 * Per phase of a run, the longest hold of each lock mode the migration took on
 * portal_users (and the longest wait for one), and whether that mode stops the
 * application: every mode from SHARE up conflicts with the ROW EXCLUSIVE lock
 * of an INSERT or UPDATE, and ACCESS EXCLUSIVE also with a plain SELECT.
 * A hold belongs to the phase in which it ended (a lock lasts to the end of its
 * transaction, and each phase ends with a commit).
 */
import type { HoldEnd, LockEpisode } from './lock-watch';
import type { PhaseSpan, SpanName } from './phase-timeline';

export type Blocks = 'reads and writes' | 'writes' | null;

const BLOCKS: Record<string, Blocks> = {
  ShareLock: 'writes',
  ShareRowExclusiveLock: 'writes',
  ExclusiveLock: 'writes',
  AccessExclusiveLock: 'reads and writes',
};

export const blocksApplication = (mode: string): Blocks => BLOCKS[mode] ?? null;

export interface PhaseLock {
  phase: SpanName;
  mode: string;
  /** False: the migration waited for this mode (the application queues behind such a wait). */
  granted: boolean;
  longestMs: number;
  count: number;
  endedBy: HoldEnd;
  blocks: Blocks;
}

/** `startedAt`: epoch seconds (server clock) of the run's start, the zero of the spans. */
export function locksByPhase(episodes: LockEpisode[], spans: PhaseSpan[], startedAt: number): PhaseLock[] {
  const result = new Map<string, PhaseLock>();
  for (const episode of episodes) {
    const endMs = (episode.end - startedAt) * 1000;
    const span = spans.find((s) => endMs <= s.to) ?? spans.at(-1)!;
    const key = `${span.phase}/${episode.mode}/${episode.granted}`;
    const ms = (episode.end - episode.start) * 1000;
    const entry = result.get(key);
    if (!entry) {
      result.set(key, { phase: span.phase, mode: episode.mode, granted: episode.granted, longestMs: ms, count: 1, endedBy: episode.endedBy, blocks: blocksApplication(episode.mode) });
    } else {
      entry.count++;
      if (ms > entry.longestMs) Object.assign(entry, { longestMs: ms, endedBy: episode.endedBy });
    }
  }
  const order = (l: PhaseLock) => spans.findIndex((s) => s.phase === l.phase);
  return [...result.values()].sort((a, b) => order(a) - order(b) || b.longestMs - a.longestMs);
}

/** The longest hold of a mode that stops the application, over the whole run: what "short locks" promises. */
export function longestBlockingHold(locks: PhaseLock[]): PhaseLock | undefined {
  return locks.filter((l) => l.granted && l.blocks !== null).sort((a, b) => b.longestMs - a.longestMs)[0];
}
