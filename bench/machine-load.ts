/**
 * The machine's load while a scenario runs, sampled from this process every
 * half second: the 1-minute load average and the share of CPU time (all cores)
 * that was busy since the previous sample. Cheap (no query, no child process),
 * so it runs beside the load without disturbing it. It tells a stall of the
 * client or of the CPU (a busy shared machine) from a wait on a lock.
 */
import os from 'node:os';
import { epochMs } from './app-load/load-generator';
import { startSampling } from './sampling-loop';

export interface MachineSample {
  /** Epoch milliseconds, this process's clock (the load generator's). */
  at: number;
  loadAverage: number;
  /** Busy share of all cores since the previous sample, 0..1. */
  cpuBusy: number;
}

export interface MachineWatch {
  stop(): Promise<MachineSample[]>;
}

const SAMPLE_MS = 500;

function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    total += all;
    busy += all - t.idle;
  }
  return { busy, total };
}

export function watchMachineLoad(): MachineWatch {
  const samples: MachineSample[] = [];
  let previous = cpuTimes();
  const sampling = startSampling(SAMPLE_MS, async () => {
    const now = cpuTimes();
    const total = now.total - previous.total;
    samples.push({ at: epochMs(), loadAverage: os.loadavg()[0]!, cpuBusy: total > 0 ? (now.busy - previous.busy) / total : 0 });
    previous = now;
  });
  return {
    stop: async () => {
      await sampling.stop();
      return samples;
    },
  };
}
