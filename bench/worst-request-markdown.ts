/**
 * One line per slowest request (worst-request.ts), as RESULTS.md shows it
 * beside the max: what it was, when, which phase and step ran, and what it
 * waited on — a lock of the migration that stops it, a batch whose row locks
 * may have, or none seen (then the machine's load says how busy the client's
 * side was).
 */
import { formatMs } from './format';
import type { LockSeen, WorstRequest } from './worst-request';

const at = (ms: number) => (ms < 0 ? `-${formatMs(-ms)}` : formatMs(ms));

function lockText(l: LockSeen): string {
  return `${l.mode}${l.granted ? ' held' : ' awaited'} by the migration (pid ${l.pid}, ${at(l.fromMs)}–${at(l.toMs)})`;
}

function machineText(w: WorstRequest): string {
  return w.machine ? `load average ${w.machine.loadAverage.toFixed(1)}, CPU ${Math.round(w.machine.cpuBusy * 100)} % busy` : 'machine load not sampled';
}

export function worstRequestText(w: WorstRequest | null): string {
  if (w === null) return 'not served during the migration';
  const steps = w.steps.length > 0 ? `; step ${w.steps.map((s) => `"${s}"`).join(' → ')}` : '';
  const what = `${w.kind}${w.error ? ' (failed)' : ''}, ${formatMs(w.ms)}, due at ${at(w.dueMs)} (${w.phases.join(' → ') || 'outside the phases'}${steps})`;
  const stopping = w.locks.filter((l) => l.stopsRequest);
  if (w.cause === 'table lock') return `${what}: waited on ${stopping.map(lockText).join(' and ')}; ${machineText(w)}`;
  if (w.cause === 'row lock of a batch?') {
    const batches = w.locks.filter((l) => l.mode === 'RowExclusiveLock');
    return `${what}: no table lock in its way; ${batches.map(lockText).join(' and ')} ran meanwhile, whose row locks (not sampled) it may have waited for; ${machineText(w)}`;
  }
  const batches = w.locks.filter((l) => l.mode === 'RowExclusiveLock');
  const meanwhile = batches.length > 0 ? `; meanwhile ${batches.map(lockText).join(' and ')}, competing for CPU and WAL, not for a lock this ${w.kind} takes` : '';
  return `${what}: no lock wait seen: client/CPU side (${machineText(w)})${meanwhile}`;
}
