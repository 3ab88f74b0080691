/**
 * What the slowest request of a version waited on (issue #20 item 6: explain
 * the maxima). For the request with the highest latency among those a served
 * version sent while the migration ran, from data the run already has:
 * - the phases (and, for a phased migration, the steps) running while it
 *   waited, from the phase row's commit times;
 * - the migration's locks on portal_users that overlapped its wait (the lock
 *   watch's episodes: held or still waiting), and whether their mode stops
 *   that kind of request: ACCESS EXCLUSIVE stops a read, SHARE and stronger a
 *   write; a request still waiting for such a mode queues the request too;
 * - the machine's load at the time (machine-load.ts).
 * The application's own sessions are not sampled (the lock watch leaves them
 * out), and row locks are not: an update that overlapped only a backfill
 * batch's ROW EXCLUSIVE may have waited for that batch's row lock, and is said
 * so (an insert or a read waits for no row lock of another row).
 */
import type { AppVersion, RequestKind } from './app-load/app-versions';
import type { RequestRecord } from './app-load/load-generator';
import type { LockEpisode } from './lock-watch';
import type { MachineSample } from './machine-load';
import type { PhaseRowVersion } from './phase-clock';
import type { SpanName } from './phase-timeline';
import { isServed } from './run-filters';

export interface LockSeen {
  mode: string;
  granted: boolean;
  pid: number;
  /** Milliseconds from the start of the migration. */
  fromMs: number;
  toMs: number;
  /** The mode stops this kind of request (held, or queued ahead of it). */
  stopsRequest: boolean;
}

export type WaitCause = 'table lock' | 'row lock of a batch?' | 'client/CPU side';

export interface WorstRequest {
  version: AppVersion;
  kind: RequestKind;
  ms: number;
  /** When it was due, milliseconds from the start of the migration. */
  dueMs: number;
  error: string | null;
  /** The phases (or, for a run of several commands, the commands) running while it waited. */
  phases: string[];
  /** The migration's steps running while it waited (empty when not known). */
  steps: string[];
  locks: LockSeen[];
  /** The busiest machine sample during its wait (the nearest one if none fell inside). */
  machine: { loadAverage: number; cpuBusy: number } | null;
  cause: WaitCause;
}

export interface WorstRequestInput {
  requests: RequestRecord[];
  /** Epoch ms (this process's clock) of the migration's start. */
  startedAt: number;
  /** Server clock minus this process's, ms. */
  clockOffsetMs: number;
  /** Named spans of the run, ms from its start: its phases, or the commands it ran. */
  phases: Array<{ phase: string; from: number; to: number }>;
  /** Which requests count: by default those of a version the schema served in a phase (run-filters.ts). */
  counts?: (version: AppVersion, phase: string) => boolean;
  episodes: LockEpisode[];
  machine: MachineSample[];
  /** The phased migration's step names in order, and its phase row's versions; null for a single transaction. */
  steps: { names: string[]; versions: PhaseRowVersion[] } | null;
}

/** Modes that stop a read (ACCESS SHARE) or a write (ROW EXCLUSIVE). */
const STOPS: Record<RequestKind, ReadonlySet<string>> = {
  read: new Set(['AccessExclusiveLock']),
  update: new Set(['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock']),
  insert: new Set(['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock']),
};

export function worstRequests(input: WorstRequestInput, versions: readonly AppVersion[]): Record<AppVersion, WorstRequest | null> {
  return Object.fromEntries(versions.map((v) => [v, worstOf(input, v)])) as Record<AppVersion, WorstRequest | null>;
}

function worstOf(input: WorstRequestInput, version: AppVersion): WorstRequest | null {
  const counts = input.counts ?? ((v: AppVersion, phase: string) => isServed(v, phase as SpanName));
  const served = input.phases.filter((p) => counts(version, p.phase));
  const rel = (r: RequestRecord) => ({ from: r.dueAt - input.startedAt, to: r.dueAt - input.startedAt + r.ms });
  const candidates = input.requests.filter((r) => r.version === version && served.some((p) => overlaps(rel(r), p)));
  if (candidates.length === 0) return null;
  const worst = candidates.reduce((a, b) => (b.ms > a.ms ? b : a));
  const wait = rel(worst);
  const toRunMs = (serverSeconds: number) => serverSeconds * 1000 - input.clockOffsetMs - input.startedAt;
  const locks = input.episodes
    .map((e) => ({ mode: e.mode, granted: e.granted, pid: e.pid, fromMs: toRunMs(e.start), toMs: toRunMs(e.end), stopsRequest: STOPS[worst.kind].has(e.mode) }))
    .filter((l) => overlaps(wait, { from: l.fromMs, to: l.toMs }));
  return {
    version,
    kind: worst.kind,
    ms: worst.ms,
    dueMs: wait.from,
    error: worst.error,
    phases: input.phases.filter((p) => overlaps(wait, p)).map((p) => p.phase),
    steps: input.steps ? stepsDuring(input.steps, wait, toRunMs) : [],
    locks,
    machine: busiest(input.machine, worst.dueAt, worst.dueAt + worst.ms),
    cause: locks.some((l) => l.stopsRequest) ? 'table lock' : worst.kind === 'update' && locks.some((l) => l.mode === 'RowExclusiveLock') ? 'row lock of a batch?' : 'client/CPU side',
  };
}

const overlaps = (a: { from: number; to: number }, b: { from: number; to: number }) => a.from <= b.to && b.from <= a.to;

/** The step running at a moment is the one after the last committed (steps_done of the newest version before it). */
function stepsDuring(steps: { names: string[]; versions: PhaseRowVersion[] }, wait: { from: number; to: number }, toRunMs: (s: number) => number): string[] {
  const runningAt = (ms: number) => {
    const done = steps.versions.filter((v) => toRunMs(v.committedAt) <= ms).at(-1)?.stepsDone ?? 0;
    return steps.names[done] ?? 'after the last step';
  };
  const inside = steps.versions.filter((v) => toRunMs(v.committedAt) > wait.from && toRunMs(v.committedAt) < wait.to).map((v) => toRunMs(v.committedAt));
  return [...new Set([wait.from, ...inside, wait.to].map(runningAt))];
}

function busiest(samples: MachineSample[], from: number, to: number): { loadAverage: number; cpuBusy: number } | null {
  const inside = samples.filter((s) => s.at >= from && s.at <= to + 500);
  const pick = inside.length > 0 ? inside.reduce((a, b) => (b.cpuBusy > a.cpuBusy ? b : a)) : samples.reduce<MachineSample | null>((a, b) => (a === null || Math.abs(b.at - from) < Math.abs(a.at - from) ? b : a), null);
  return pick && { loadAverage: pick.loadAverage, cpuBusy: pick.cpuBusy };
}
